//! Browser primitives as Rust values: timers, event listeners and abort
//! controllers whose `Drop` releases them, and a race of two futures. Everything
//! comes from the global scope, so it works in a window, a worker and Node.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_channel::oneshot;
use futures_util::future::{select, Either};
use js_sys::{Function, Reflect};
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
