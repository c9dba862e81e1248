//! `Act`: an action a page hands to a component.
//!
//! Why: components sit below pages and do not call the server or open the database
//! themselves; the page decides what an action does (which API call, what to reload) and
//! the component only runs it and shows the outcome. `Err` carries the text to show, in
//! the user's language.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

type Run<A, T> = dyn Fn(A) -> Pin<Box<dyn Future<Output = Result<T, String>>>> + Send + Sync;

/// An asynchronous action taking `A` and answering `T` or a message.
pub struct Act<A, T = ()>(Arc<Run<A, T>>);

impl<A, T> Clone for Act<A, T> {
    fn clone(&self) -> Self {
        Act(Arc::clone(&self.0))
    }
}

impl<A: 'static, T: 'static> Act<A, T> {
    pub fn new<F, Fut>(f: F) -> Self
    where
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, String>> + 'static,
    {
        Act(Arc::new(move |a| Box::pin(f(a))))
    }

    /// Runs the action.
    pub async fn run(&self, a: A) -> Result<T, String> {
        (self.0)(a).await
    }
}
