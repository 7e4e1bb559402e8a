//! Browser primitives as Rust values: timers, event listeners, abort
//! controllers and body readers whose `Drop` releases them, and a race of two
//! futures. Everything comes from the global scope, so it works in a window, a
//! worker and Node.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_channel::oneshot;
use futures_util::future::{select, Either};
use js_sys::{Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub(crate) fn global(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// Whether a `document` exists and is hidden. Workers and Node have none.
pub(crate) fn page_is_hidden() -> bool {
    let document = global("document");
    !document.is_undefined()
        && Reflect::get(&document, &"hidden".into()).ok().and_then(|h| h.as_bool()).unwrap_or(false)
}

/// Resolves when the page is visible again.
pub(crate) async fn wait_until_visible() {
    let document = global("document");
    while page_is_hidden() {
        Listener::once(&document, "visibilitychange").await;
    }
}

/// Whether `signal` has aborted (never without one).
pub(crate) fn is_aborted(signal: &Option<web_sys::AbortSignal>) -> bool {
    signal.as_ref().is_some_and(|s| s.aborted())
}

/// Resolves when `signal` aborts; never without one.
pub(crate) async fn abort_of(signal: &Option<web_sys::AbortSignal>) {
    match signal {
        Some(signal) if signal.aborted() => {}
        Some(signal) => Listener::once(signal, "abort").await,
        None => std::future::pending().await,
    }
}

/// The first of two futures to finish; the other is dropped (and so cleaned up).
pub(crate) async fn race<A: Future, B: Future>(a: A, b: B) -> Either<A::Output, B::Output> {
    match select(Box::pin(a), Box::pin(b)).await {
        Either::Left((a, _)) => Either::Left(a),
        Either::Right((b, _)) => Either::Right(b),
    }
}

/// A JS function that completes this future the first time it is called.
struct Callback {
    done: oneshot::Receiver<()>,
    closure: Closure<dyn FnMut()>,
}

impl Callback {
    fn new() -> Callback {
        let (tx, done) = oneshot::channel();
        let mut tx = Some(tx);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(tx) = tx.take() {
                let _ = tx.send(());
            }
        });
        Callback { done, closure }
    }

    fn function(&self) -> &JsValue {
        self.closure.as_ref()
    }
}

impl Future for Callback {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.done).poll(cx).map(|_| ())
    }
}

/// `setTimeout` from the global scope as a future; dropping it clears the timer.
pub(crate) struct Sleep {
    callback: Callback,
    id: JsValue,
}

impl Sleep {
    pub(crate) fn new(ms: f64) -> Sleep {
        let callback = Callback::new();
        let set_timeout: Function = global("setTimeout").unchecked_into();
        let id = set_timeout
            .call2(&JsValue::UNDEFINED, callback.function(), &JsValue::from_f64(ms.min(2_147_483_647.0)))
            .unwrap_or(JsValue::UNDEFINED);
        Sleep { callback, id }
    }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.callback).poll(cx)
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        let clear: Function = global("clearTimeout").unchecked_into();
        let _ = clear.call1(&JsValue::UNDEFINED, &self.id);
    }
}

/// One event of an `EventTarget` as a future; dropping it removes the listener.
struct Listener {
    target: web_sys::EventTarget,
    kind: &'static str,
    callback: Callback,
}

impl Listener {
    fn once(target: &JsValue, kind: &'static str) -> Listener {
        let callback = Callback::new();
        let target: web_sys::EventTarget = target.clone().unchecked_into();
        let _ = target.add_event_listener_with_callback(kind, callback.function().unchecked_ref());
        Listener { target, kind, callback }
    }
}

impl Future for Listener {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.callback).poll(cx)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let function = self.callback.function().unchecked_ref();
        let _ = self.target.remove_event_listener_with_callback(self.kind, function);
    }
}

/// Aborts the attempt's own controller when the attempt ends, so the request
/// and its body never outlive it.
pub(crate) struct AbortOnDrop(pub(crate) web_sys::AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

thread_local! {
    /// Handles the rejection of a promise whose outcome nobody needs. One for
    /// the whole module: a `Closure::once` per use stays until it is called,
    /// and a handler of a promise that fulfils never is (a leak per stream).
    static IGNORE: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

/// How the reads of a body ended.
pub(crate) enum BodyEnd {
    /// The stream ended.
    Done,
    /// A read failed: the network, or the request's own abort.
    Failed(JsValue),
    /// The chunk callback stopped the reads.
    Stopped,
}

type ReadCallback = Closure<dyn FnMut(JsValue)>;
type ChunkCallback = Box<dyn FnMut(&Uint8Array) -> bool>;

/// The reads of a response body, each chunk handed to a callback inside the
/// read's own promise reaction, which then starts the next read. A live LLM
/// stream is one small read per event: a Rust future per read (wasm-streams'
/// `into_stream`) costs two closures made and freed, a waker and a second
/// microtask each time, several times the parsing of the chunk. Here a read
/// costs what a JS `await reader.read()` loop costs; the Rust side wakes once,
/// when the reads end.
///
/// Dropping it stops the reads: no callback runs after that. The caller owns
/// the lock (a wasm-streams reader) and releases it after this is dropped.
pub(crate) struct BodyPump {
    shared: Rc<Pump>,
}

struct Pump {
    reader: web_sys::ReadableStreamDefaultReader,
    /// `None` once the reads stopped.
    on_chunk: RefCell<Option<ChunkCallback>>,
    end: RefCell<Option<oneshot::Sender<BodyEnd>>>,
    /// The fulfil and reject callbacks of every read. They hold this state,
    /// which holds them: the cycle ends when they are taken out, on drop or,
    /// if a read is still pending then, when it settles.
    callbacks: RefCell<Option<(ReadCallback, ReadCallback)>>,
    pending: Cell<bool>,
    /// The stream itself ended the reads (its end or its error).
    stream_ended: Cell<bool>,
    /// When the last chunk came (`Date.now()`), kept only for an idle timeout.
    last_chunk_at: Option<Cell<f64>>,
}

impl BodyPump {
    /// Starts reading. `on_chunk` gets every chunk, in order, until it returns
    /// `false` (which ends the reads with [`BodyEnd::Stopped`]). With `clock`,
    /// the time of the last chunk is kept (see [`BodyPump::idle_for`]).
    /// The future says how the reads ended; it never resolves while they go on.
    pub(crate) fn start(
        reader: web_sys::ReadableStreamDefaultReader,
        clock: bool,
        on_chunk: impl FnMut(&Uint8Array) -> bool + 'static,
    ) -> (BodyPump, impl Future<Output = BodyEnd>) {
        let (tx, end) = oneshot::channel();
        let shared = Rc::new(Pump {
            reader,
            on_chunk: RefCell::new(Some(Box::new(on_chunk))),
            end: RefCell::new(Some(tx)),
            callbacks: RefCell::new(None),
            pending: Cell::new(false),
            stream_ended: Cell::new(false),
            last_chunk_at: clock.then(|| Cell::new(js_sys::Date::now())),
        });
        let fulfil = {
            let pump = Rc::clone(&shared);
            Closure::<dyn FnMut(JsValue)>::new(move |result: JsValue| pump.fulfilled(result))
        };
        let reject = {
            let pump = Rc::clone(&shared);
            Closure::<dyn FnMut(JsValue)>::new(move |error: JsValue| pump.rejected(error))
        };
        *shared.callbacks.borrow_mut() = Some((fulfil, reject));
        shared.read();
        // The sender goes only with the pump, and nobody waits then.
        (BodyPump { shared }, async move { end.await.unwrap_or(BodyEnd::Done) })
    }

    /// Milliseconds since the last chunk (or the start); 0 without `clock`.
    pub(crate) fn idle_for(&self) -> f64 {
        self.shared.last_chunk_at.as_ref().map_or(0.0, |at| js_sys::Date::now() - at.get())
    }
}

impl Pump {
    fn read(&self) {
        let callbacks = self.callbacks.borrow();
        if let Some((fulfil, reject)) = callbacks.as_ref() {
            self.pending.set(true);
            let _ = self.reader.read().then2(fulfil, reject);
        }
    }

    fn fulfilled(&self, result: JsValue) {
        self.pending.set(false);
        if self.end.borrow().is_none() {
            // Stopped while this read was pending.
            return self.release();
        }
        let result: web_sys::ReadableStreamReadResult = result.unchecked_into();
        if result.get_done().unwrap_or(false) {
            self.stream_ended.set(true);
            return self.finish(BodyEnd::Done);
        }
        let value = result.get_value();
        let Some(bytes) = value.dyn_ref::<Uint8Array>() else {
            // Not bytes (a body of another kind of stream): nothing to parse.
            return self.read();
        };
        if let Some(at) = &self.last_chunk_at {
            at.set(js_sys::Date::now());
        }
        // Taken out for the call: the callback runs user code, and the reads
        // may stop meanwhile (then it is not put back).
        let Some(mut on_chunk) = self.on_chunk.borrow_mut().take() else {
            return self.release();
        };
        let go_on = on_chunk(bytes);
        if self.end.borrow().is_none() {
            return self.release();
        }
        *self.on_chunk.borrow_mut() = Some(on_chunk);
        if go_on {
            self.read();
        } else {
            self.finish(BodyEnd::Stopped);
        }
    }

    fn rejected(&self, error: JsValue) {
        self.pending.set(false);
        self.stream_ended.set(true);
        self.finish(BodyEnd::Failed(error));
    }

    /// The reads are over: tell the waiting side, once, and let go of the callbacks.
    fn finish(&self, end: BodyEnd) {
        if let Some(tx) = self.end.borrow_mut().take() {
            let _ = tx.send(end);
        }
        self.release();
    }

    /// Drops the chunk callback, and the read callbacks unless a read is
    /// pending (its settling calls `release` again). A callback freed inside
    /// its own call is freed by wasm-bindgen once it returns.
    fn release(&self) {
        drop(self.on_chunk.borrow_mut().take());
        if !self.pending.get() {
            let callbacks = self.callbacks.borrow_mut().take();
            drop(callbacks);
        }
    }
}

impl Drop for BodyPump {
    fn drop(&mut self) {
        let pump = &self.shared;
        drop(pump.end.borrow_mut().take());
        pump.release();
        if !pump.stream_ended.get() {
            // We stopped before the stream did: tell its source (a pending
            // read then ends as done). A custom fetch may ignore the request's
            // abort signal, so the abort alone may not reach it.
            IGNORE.with(|ignore| {
                let _ = pump.reader.cancel().catch(ignore);
            });
        }
    }
}
