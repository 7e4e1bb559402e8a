// The markdown-safety rule of tests/common/markdown_rule.rs, checked with
// markdown-it (CommonMark + GFM tables and strikethrough, raw HTML on: what
// the example apps render with) instead of pulldown-cmark, so that the
// pipeline is judged by a renderer it was not written against.
// benches/delta/flicker.mjs judges with this same module.
//
// A display handed to the UI is safe when its rendering shows only what the
// final rendering shows in the same place: flatten each rendering into tokens
// (one per visible character, break, rule or block start), each tagged with its
// block containers (and their position in the document) and its inline
// formatting; the display's tokens must be a prefix of the final's. The same
// allowances as the Rust checker: a paragraph may become a setext heading; a
// paragraph directly in a list item is not a container (tight = loose), nor
// is a setext heading there (the text of a tight item may become one); empty
// cells and rows, and the newline of an unfinished code block, at the very end
// of the display are not counted. Link and image URLs are not compared.

import MarkdownIt from 'markdown-it';

const md = MarkdownIt('commonmark').enable(['table', 'strikethrough']);

const EM = 1;
const STRONG = 2;
const DEL = 4;
const CODE = 8;
const LINK = 16;
const IMAGE = 32;
const HTML = 128;

const INLINE = { em: EM, strong: STRONG, s: DEL, link: LINK };

// Block tokens that open a container, and the block they are.
function blockOf(token) {
  switch (token.type) {
    case 'paragraph_open':
      return 'para';
    case 'heading_open':
      // Setext headings carry their underline character as markup.
      return `h${token.tag.slice(1)}${token.markup === '=' || token.markup === '-' ? ' setext' : ''}`;
    case 'blockquote_open':
      return 'quote';
    case 'bullet_list_open':
      return 'ul';
    case 'ordered_list_open':
      return 'ol';
    case 'list_item_open':
      return 'item';
    case 'table_open':
      return 'table';
    case 'thead_open':
      return 'head';
    case 'tr_open':
      return 'row';
    case 'th_open':
    case 'td_open':
      return 'cell';
    default:
      return null;
  }
}

/**
 * @typedef {{ show: string, blocks: { block: string, ord: number }[], inline: number }} Token
 *   show: 'c:' + a character, 'soft', 'hard', 'rule' or 'open:' + a block.
 */

/** @returns {Token[]} */
export function render(source) {
  const out = [];
  const blocks = [];
  const kept = [];
  let ord = 0;
  const chars = (text, inline) => {
    for (const c of text) out.push({ show: `c:${c}`, blocks: [...blocks], inline });
  };
  const open = (block) => {
    ord++;
    blocks.push({ block, ord });
    out.push({ show: `open:${block}`, blocks: [...blocks], inline: 0 });
  };
  const inlines = (children, base) => {
    const stack = [];
    const flags = () => stack.reduce((a, f) => a | f, base);
    for (const t of children) {
      const name = t.type.replace(/_(open|close)$/, '');
      if (name in INLINE && t.nesting !== 0) {
        if (t.nesting === 1) stack.push(INLINE[name]);
        else stack.pop();
      } else if (t.type === 'text') chars(t.content, flags());
      else if (t.type === 'code_inline') chars(t.content, flags() | CODE);
      else if (t.type === 'html_inline') chars(t.content, flags() | HTML);
      else if (t.type === 'softbreak') out.push({ show: 'soft', blocks: [...blocks], inline: flags() });
      else if (t.type === 'hardbreak') out.push({ show: 'hard', blocks: [...blocks], inline: flags() });
      else if (t.type === 'image') {
        out.push({ show: 'open:para', blocks: [...blocks], inline: flags() | IMAGE });
        inlines(t.children ?? [], flags() | IMAGE);
      }
    }
  };
  for (const t of md.parse(source, {})) {
    if (t.nesting === 1) {
      const block = blockOf(t);
      const inItem = blocks.length > 0 && blocks[blocks.length - 1].block === 'item';
      if (block === null || ((block === 'para' || block.endsWith(' setext')) && inItem)) {
        kept.push(false);
        continue;
      }
      kept.push(true);
      open(block);
    } else if (t.nesting === -1) {
      if (kept.pop()) blocks.pop();
    } else if (t.type === 'inline') {
      inlines(t.children ?? [], 0);
    } else if (t.type === 'fence' || t.type === 'code_block') {
      open(`code ${t.type === 'fence' ? t.info : ''}`);
      chars(t.content, 0);
      blocks.pop();
    } else if (t.type === 'html_block') {
      open('html');
      chars(t.content, HTML);
      blocks.pop();
    } else if (t.type === 'hr') {
      out.push({ show: 'rule', blocks: [...blocks], inline: 0 });
    }
  }
  return out;
}

const setextOf = (display, fin) => display === 'para' && / setext$/.test(fin);

function framesMatch(d, f) {
  return d.length === f.length && d.every((x, i) => x.ord === f[i].ord && (x.block === f[i].block || setextOf(x.block, f[i].block)));
}

function tokenMatches(d, f) {
  const show = d.show === f.show || (d.show === 'open:para' && f.show.startsWith('open:') && setextOf('para', f.show.slice(5)));
  return show && d.inline === f.inline && framesMatch(d.blocks, f.blocks);
}

function trimmed(display) {
  const d = render(display);
  while (d.length) {
    const t = d[d.length - 1];
    const inCode = t.blocks.length > 0 && t.blocks[t.blocks.length - 1].block.startsWith('code ');
    if (t.show === 'open:cell' || t.show === 'open:row' || (t.show === 'c:\n' && inCode)) d.pop();
    else break;
  }
  return d;
}

/**
 * Checks the rule for `display` against the final rendering's tokens.
 * @returns {string | null} the first difference, or null when the display is safe
 */
export function check(display, fin) {
  const d = trimmed(display);
  if (d.length > fin.length) return `the display renders ${d.length} tokens, the final text ${fin.length}`;
  for (let i = 0; i < d.length; i++) {
    if (!tokenMatches(d[i], fin[i])) return `token ${i} differs: display ${JSON.stringify(d[i])}, final ${JSON.stringify(fin[i])}`;
  }
  return null;
}
