//! The inference threads (and the thread that finishes their jobs).
//!
//! `concurrency` OS threads take work from one queue and run it back to back: a thread that
//! finishes a forward pass starts the next one at once, without waiting for the async side.
//! What a job needs after its forward pass (quantization, digest, the job table, metrics) goes
//! to a second pool of one `finisher` thread, so an inference thread never waits for the job
//! table's lock or spends time on anything but the device. `run` callers get their result
//! through a channel. This keeps the device busy between small jobs, where a task per job
//! waiting for a slot and a blocking thread would leave it idle for tens of microseconds each
//! time.

use std::sync::{mpsc, Arc, Mutex};

type Work = Box<dyn FnOnce() + Send + 'static>;

/// A fixed set of inference threads fed from one queue.
pub struct InferencePool {
	queue: Mutex<Option<mpsc::Sender<Work>>>,
}

impl InferencePool {
	/// Starts `threads` (at least one) threads named `{name}-{i}`; each first runs `start(i)`.
	pub fn named(
		name: &str,
		threads: usize,
		start: impl Fn(usize) + Send + Sync + 'static,
	) -> std::io::Result<Self> {
		let (tx, rx) = mpsc::channel::<Work>();
		let rx = Arc::new(Mutex::new(rx));
		let start = Arc::new(start);
		for i in 0..threads.max(1) {
			let rx = rx.clone();
			let start = start.clone();
			std::thread::Builder::new().name(format!("{name}-{i}")).spawn(move || {
				start(i);
				Self::serve(&rx)
			})?;
		}
		Ok(InferencePool { queue: Mutex::new(Some(tx)) })
	}

	fn serve(rx: &Mutex<mpsc::Receiver<Work>>) {
		loop {
			// The lock is held only while waiting for the next piece of work.
			let next = match rx.lock() {
				Ok(rx) => rx.recv(),
				Err(poisoned) => poisoned.into_inner().recv(),
			};
			match next {
				Ok(work) => work(),
				Err(_) => break, // the pool is closed
			}
		}
	}

	/// Runs `f` on an inference thread; resolves with its result (`None` when the pool is
	/// closed or the work panicked).
	pub async fn run<R: Send + 'static>(
		&self,
		f: impl FnOnce() -> R + Send + 'static,
	) -> Option<R> {
		let (tx, rx) = tokio::sync::oneshot::channel();
		let work: Work = Box::new(move || {
			let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
			let _ = tx.send(result.ok());
		});
		{
			let queue = self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
			queue.as_ref()?.send(work).ok()?;
		}
		rx.await.ok().flatten()
	}

	/// Queues `f` for an inference thread without waiting for it; `false` (and `f` dropped)
	/// when the pool is closed. A panic in `f` unwinds it (dropping what it owns) and the thread
	/// goes on with the next piece of work.
	pub fn spawn(&self, f: impl FnOnce() + Send + 'static) -> bool {
		let work: Work = Box::new(move || {
			let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
		});
		let queue = self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
		queue.as_ref().is_some_and(|q| q.send(work).is_ok())
	}

	/// Stops taking work; the threads finish what is queued and exit.
	pub fn close(&self) {
		self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[tokio::test]
	async fn runs_work_in_order_and_survives_a_panic() {
		let pool = InferencePool::named("inference", 1, |_| {}).unwrap();
		assert_eq!(pool.run(|| 2 + 2).await, Some(4));
		assert_eq!(pool.run(|| -> u8 { panic!("bad model") }).await, None);
		assert_eq!(pool.run(|| "still serving").await, Some("still serving"));
		let (tx, rx) = tokio::sync::oneshot::channel();
		assert!(pool.spawn(move || {
			let _ = tx.send(7);
		}));
		assert_eq!(rx.await, Ok(7));
		pool.close();
		assert_eq!(pool.run(|| 1).await, None);
		assert!(!pool.spawn(|| {}));
	}
}
