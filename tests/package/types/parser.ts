// The parser, from 'wasm-sse' and from 'wasm-sse/parser' (the same API).
import * as main from 'wasm-sse';
import {
  EventSourceParserStream,
  ParseError,
  createParser,
  ready,
  type EventSourceMessage,
  type EventSourceParser,
  type NotReadyError,
  type ParseErrorType,
  type ParserCallbacks,
  type ParserOptions,
  type ResetOptions,
  type StreamOptions,
} from 'wasm-sse/parser';
import { check, exactly, type Equal } from './expect.js';

// The parser entry is the main entry's parser, type for type.
check<Equal<typeof createParser, typeof main.createParser>>();
check<Equal<typeof EventSourceParserStream, typeof main.EventSourceParserStream>>();
check<Equal<typeof ParseError, typeof main.ParseError>>();
check<Equal<EventSourceMessage, main.EventSourceMessage>>();

exactly<Promise<void>>()(ready);
await ready;

function onError(error: ParseError): void {
  check<Equal<typeof error.name, 'ParseError'>>();
  const type: ParseErrorType = error.type;
  if (type === 'max-buffer') exactly<number | undefined>()(error.limit);
  if (type === 'invalid-retry' || type === 'unknown-field') {
    exactly<string | undefined>()(error.field);
    exactly<string | undefined>()(error.value);
  }
  exactly<string>()(error.message);
}

/** Every callback and option, each given. */
const callbacks = {
  onEvent(event) {
    exactly<EventSourceMessage>()(event);
    const { event: type, data, id }: { event: string; data: string; id: string } = event;
    void [type, data, id];
  },
  onRetry(retryMs) {
    exactly<number>()(retryMs);
  },
  onComment(comment) {
    exactly<string>()(comment);
  },
  onError,
} satisfies Required<ParserCallbacks>;
const options = { maxBufferSize: 1 << 16 } satisfies Required<ParserOptions>;

const parser: EventSourceParser = createParser(callbacks, options);
createParser({ onEvent: () => {} });
createParser({}, { maxBufferSize: Infinity });
parser.feed('data: one\n\n');
parser.feed(new TextEncoder().encode('data: two\n\n'));
parser.feed(new ArrayBuffer(0));
parser.feed(new Uint16Array(2));
parser.reset();
parser.reset({ consume: true } satisfies Required<ResetOptions>);
exactly<void>()(parser.feed(''));
exactly<void>()(parser.free());
exactly<void>()(parser[Symbol.dispose]());

// The stream: bytes or text in, events out.
const streamOptions = {
  onError: 'terminate',
  onRetry: (retryMs) => exactly<number>()(retryMs),
  onComment: (comment) => exactly<string>()(comment),
  maxBufferSize: 0,
} satisfies Required<StreamOptions>;
const response = await fetch('/events');
if (response.body) {
  const events = response.body.pipeThrough(new EventSourceParserStream(streamOptions));
  exactly<ReadableStream<EventSourceMessage>>()(events);
  try {
    for await (const { event, data, id } of events) void [event, data, id];
  } catch (error) {
    // With `onError: 'terminate'`, the stream errors with the ParseError.
    if (error instanceof ParseError) onError(error);
  }
}
new EventSourceParserStream();
new EventSourceParserStream({ onError: (error) => exactly<ParseError>()(error) });
const text = new ReadableStream<string>().pipeThrough(new main.EventSourceParserStream());
exactly<ReadableStream<EventSourceMessage>>()(text);
const transform: TransformStream<string | Uint8Array, EventSourceMessage> = new EventSourceParserStream();
void transform;

// A constructor called before `ready` throws a NotReadyError.
try {
  createParser({});
} catch (error) {
  const notReady = error as NotReadyError;
  check<Equal<typeof notReady.type, 'not-ready'>>();
  check<Equal<typeof notReady.name, 'NotReadyError'>>();
  exactly<unknown>()(notReady.cause);
}
