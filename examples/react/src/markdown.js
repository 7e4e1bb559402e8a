// One markdown renderer for the whole app. markdown-it escapes raw HTML
// (html: false), so model output cannot inject markup.
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: true, breaks: false });

export function renderMarkdown(text) {
  return text ? md.render(text) : '';
}
