//! The change feed as a [`Stream`]: changes as they commit, then the run's
//! outcome.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use tokio::sync::mpsc;

use crate::error::{Error, Result};
use crate::feed::Change;
use crate::report::Report;

/// What a running sync sends its stream.
#[derive(Debug)]
pub(crate) enum Msg {
    Change(Box<Change>),
    Done(Result<Report>),
}

/// New and changed records of a running sync, in commit order. Ends when
/// the run ends; a failed run ends it with one error.
#[derive(Debug)]
pub struct ChangeStream {
    rx: mpsc::Receiver<Msg>,
    report: Option<Report>,
    ended: bool,
}

impl ChangeStream {
    pub(crate) fn new(rx: mpsc::Receiver<Msg>) -> Self {
        ChangeStream {
            rx,
            report: None,
            ended: false,
        }
    }

    /// The run's report, once the stream has ended without error.
    pub fn report(&self) -> Option<&Report> {
        self.report.as_ref()
    }
}

impl Stream for ChangeStream {
    type Item = Result<Change>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Msg::Change(c))) => Poll::Ready(Some(Ok(*c))),
            Poll::Ready(Some(Msg::Done(Ok(report)))) => {
                self.ended = true;
                self.report = Some(report);
                Poll::Ready(None)
            }
            Poll::Ready(Some(Msg::Done(Err(e)))) => {
                self.ended = true;
                Poll::Ready(Some(Err(e)))
            }
            // The run's task ended without a word: it panicked or its
            // runtime shut down.
            Poll::Ready(None) => {
                self.ended = true;
                Poll::Ready(Some(Err(Error::Interrupted)))
            }
        }
    }
}
