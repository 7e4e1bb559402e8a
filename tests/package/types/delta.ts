// `createDeltaStream` from 'wasm-sse': every option, every field of a flush and
// every method of the stream.
import {
  createDeltaStream,
  createParser,
  type DeltaChannel,
  type DeltaCodeFence,
  type DeltaError,
  type DeltaErrorType,
  type DeltaEvent,
  type DeltaFlush,
  type DeltaFlushPolicy,
  type DeltaFormatFunction,
  type DeltaMarkdownMode,
  type DeltaMathDelimiters,
  type DeltaPointer,
  type DeltaPreset,
  type DeltaStream,
  type DeltaStreamOptions,
  type DeltaToolCall,
  type JsonValue,
} from 'wasm-sse';
import { check, exactly, type Equal } from './expect.js';

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A UI's rendering of one flush: reads every field, each with its exact type. */
function render(flush: DeltaFlush): void {
  exactly<string>()(flush.delta);
  exactly<string>()(flush.text);
  exactly<string>()(flush.display);
  exactly<number>()(flush.stableLength);
  exactly<string>()(flush.displayTail);
  exactly<boolean>()(flush.done);
  exactly<boolean>()(flush.restarted);
  exactly<DeltaChannel | null>()(flush.reasoning);
  exactly<readonly DeltaToolCall[]>()(flush.toolCalls);
  exactly<{ readonly [key: string]: JsonValue } | null>()(flush.usage);
  exactly<string | null>()(flush.finishReason);
  exactly<DeltaCodeFence | null>()(flush.codeFence);
  if (flush.codeFence) {
    exactly<string>()(flush.codeFence.info);
    exactly<string>()(flush.codeFence.language);
  }

  const stable = flush.display.slice(0, flush.stableLength);
  const live = flush.displayTail;
  void (flush.restarted ? `${stable}${live}` : live);

  if (flush.reasoning) {
    const { delta, text, display, stableLength, displayTail } = flush.reasoning;
    const parts: [string, string, string, number, string] = [delta, text, display, stableLength, displayTail];
    void parts;
  }

  for (const call of flush.toolCalls) {
    exactly<number>()(call.index);
    exactly<string | null>()(call.id);
    exactly<string | null>()(call.name);
    exactly<string>()(call.arguments);
    exactly<JsonValue | undefined>()(call.input);
    exactly<boolean>()(call.done);
    // `input` is a JSON value: a UI narrows it before reading a key.
    if (isObject(call.input)) {
      const city = call.input['city'];
      if (typeof city === 'string') void city.toUpperCase();
    }
  }

  const usage = flush.usage;
  if (usage) {
    const output = usage['output_tokens'];
    if (typeof output === 'number') void output.toFixed(0);
  }
  if (flush.finishReason === 'tool_calls' || flush.finishReason === 'end_turn') void flush.toolCalls.length;
}

function onError(error: DeltaError): void {
  check<Equal<typeof error.name, 'DeltaError'>>();
  const type: DeltaErrorType = error.type;
  if (type === 'stream-error') exactly<string | undefined>()(error.code);
  else exactly<number | undefined>()(error.at);
  const plain: Error = error;
  void plain;
}

const format: DeltaFormatFunction = (event: DeltaEvent) => {
  if (event.event === 'done') return undefined;
  const parsed: unknown = JSON.parse(event.data);
  return typeof parsed === 'string' ? parsed : null;
};
const pointer: DeltaPointer = '/choices/0/delta/content';
const presets: DeltaPreset[] = ['openai', 'openai-chat', 'openai-responses', 'anthropic', 'ai-sdk', 'text'];
const policies: DeltaFlushPolicy[] = ['frame', 'event', 'manual', { intervalMs: 100 }];
const modes: DeltaMarkdownMode[] = ['off', 'hold', 'heal'];
const maths: DeltaMathDelimiters[] = ['off', 'dollar', 'latex', 'both'];

/** Every option, each given: adding one to `DeltaStreamOptions` fails here until it is exercised. */
const everyOption = {
  format: 'anthropic',
  flush: 'event',
  markdown: 'heal',
  math: 'both',
  onDelta: render,
  onError,
  onDone() {},
} satisfies Required<DeltaStreamOptions>;

const stream: DeltaStream = createDeltaStream(everyOption);
createDeltaStream();
createDeltaStream({ format });
createDeltaStream({ format: pointer });
for (const preset of presets) createDeltaStream({ format: preset });
for (const flush of policies) for (const markdown of modes) createDeltaStream({ flush, markdown });
for (const math of maths) createDeltaStream({ math });
createDeltaStream({
  format: ({ data }) => data,
  onDelta(flush) {
    exactly<DeltaFlush>()(flush);
  },
  onError(error) {
    exactly<DeltaError>()(error);
  },
});

// Every method.
stream.pushEvent({ data: '{"type":"content_block_delta"}' });
stream.pushEvent({ event: 'message', data: 'text', id: '7' });
stream.pushText('some text');
stream.feed('data: x\n\n');
stream.feed(new TextEncoder().encode('data: x\n\n'));
stream.feed(new ArrayBuffer(8));
stream.feed(new DataView(new ArrayBuffer(8)));
stream.flush();
stream.restart();
stream.finish();
stream.abort();
exactly<string>()(stream.text);
exactly<boolean>()(stream.closed);
exactly<void>()(stream.free());
exactly<void>()(stream[Symbol.dispose]());

// Events from the parser go straight in.
const parser = createParser({ onEvent: (event) => stream.pushEvent(event) });
parser.feed('data: hi\n\n');
