//! synod-worker end to end over HTTP on loopback: the real router, libtorch on the CPU, the
//! committed TorchScript fixtures (made by worker/tests/fixtures/make_fixtures.py with Python torch 2.11.0).

#![allow(
	clippy::unwrap_used,
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects
)]

use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
	sync::Arc,
	time::{Duration, Instant},
};

use serde_json::{json, Value};
use synod_worker::{
	api::{router, AppState},
	backend::{Backend, DeviceChoice, RawTensor, TchBackend},
	jobs::{Jobs, JobsConfig},
	metrics::Metrics,
	store::{ModelStore, StoreConfig},
};

fn fixtures() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read_json(path: PathBuf) -> Value {
	serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

struct Worker {
	addr: SocketAddr,
	_cache: tempfile::TempDir,
}

async fn start(models_dir: PathBuf, max_queue: usize) -> Worker {
	synod_worker::determinism::set_deterministic(true);
	tch::set_num_threads(1);
	let cache = tempfile::tempdir().unwrap();
	let metrics = Arc::new(Metrics::new());
	let backend = TchBackend::new(DeviceChoice::Cpu, 0.0).unwrap();
	let store = Arc::new(
		ModelStore::new(
			StoreConfig {
				models_dir: Some(models_dir),
				cache_dir: cache.path().to_path_buf(),
				max_loaded: 2,
				max_model_bytes: 1 << 20,
				fetch_timeout: Duration::from_secs(10),
			},
			Arc::new(backend),
			metrics.clone(),
		)
		.unwrap(),
	);
	let jobs = Arc::new(
		Jobs::new(
			store.clone(),
			metrics.clone(),
			"cpu".into(),
			JobsConfig { concurrency: 1, max_queue, retain: 100, affinity: Default::default() },
		)
		.unwrap(),
	);
	let state = AppState {
		jobs,
		store,
		metrics,
		device: "cpu".into(),
		deterministic: true,
		threads: 1,
		inference_cpus: None,
	};
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let addr = listener.local_addr().unwrap();
	tokio::spawn(async move { axum::serve(listener, router(state)).await.unwrap() });
	Worker { addr, _cache: cache }
}

/// (status, body) of a request; ureq runs on a blocking thread.
async fn call(method: &'static str, url: String, body: Option<String>) -> (u16, Value) {
	tokio::task::spawn_blocking(move || {
		let req = ureq::request(method, &url).set("Content-Type", "application/json");
		let res = match body {
			Some(b) => req.send_string(&b),
			None => req.call(),
		};
		let resp = match res {
			Ok(r) => r,
			Err(ureq::Error::Status(_, r)) => r,
			Err(e) => panic!("{method} {url}: {e}"),
		};
		let status = resp.status();
		let text = resp.into_string().unwrap();
		(status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
	})
	.await
	.unwrap()
}

impl Worker {
	fn url(&self, path: &str) -> String {
		format!("http://{}{}", self.addr, path)
	}

	async fn post(&self, body: Value) -> (u16, Value) {
		call("POST", self.url("/v1/jobs"), Some(body.to_string())).await
	}

	async fn wait(&self, id: &str) -> Value {
		let started = Instant::now();
		loop {
			let (status, v) = call("GET", self.url(&format!("/v1/jobs/{id}")), None).await;
			assert_eq!(status, 200, "{v}");
			if v["status"] == "succeeded" || v["status"] == "failed" {
				return v;
			}
			assert!(started.elapsed() < Duration::from_secs(60), "job {id} stuck: {v}");
			tokio::time::sleep(Duration::from_millis(20)).await;
		}
	}
}

/// An HTTP server on loopback that serves the fixture `file` at `/{file}` after `delay`.
async fn model_server(file: &'static str, delay: Duration) -> SocketAddr {
	let bytes = std::fs::read(fixtures().join(file)).unwrap();
	let app = axum::Router::new().route(
		&format!("/{file}"),
		axum::routing::get(move || {
			let b = bytes.clone();
			async move {
				tokio::time::sleep(delay).await;
				b
			}
		}),
	);
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let addr = listener.local_addr().unwrap();
	tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
	addr
}

fn manifest(name: &str) -> Value {
	read_json(fixtures().join(format!("{name}.json")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixtures_give_the_digests_python_torch_gave() {
	let w = start(fixtures(), 16).await;
	for name in ["mlp", "cnn"] {
		let expected = read_json(fixtures().join(format!("{name}.expected.json")));
		let (status, v) = w
			.post(json!({
				"id": format!("{name}-1"),
				"model_hash": manifest(name)["hash"],
				"input_hex": expected["input_hex"],
			}))
			.await;
		assert_eq!(status, 202, "{v}");
		let done = w.wait(&format!("{name}-1")).await;
		assert_eq!(done["status"], "succeeded", "{done}");
		let out = &done["output"];
		assert_eq!(out["shape"], expected["shape"], "{name}");
		assert_eq!(out["quantized"], expected["quantized"], "{name}: quantized");
		assert_eq!(out["digest"], expected["digest"], "{name}: same build, same digest");
	}
}

/// A chain names a model by its id (publisher and manifest), not its file: given `model_id`,
/// the digest binds that id, with the same quantized output; without it, the file hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_digest_binds_the_model_id_the_job_names() {
	let w = start(fixtures(), 16).await;
	let expected = read_json(fixtures().join("mlp.expected.json"));
	let id = [0x5au8; 32];
	let (status, v) = w
		.post(json!({
			"id": "mlp-by-id",
			"model_hash": manifest("mlp")["hash"],
			"model_id": hex::encode(id),
			"input_hex": expected["input_hex"],
		}))
		.await;
	assert_eq!(status, 202, "{v}");
	let done = w.wait("mlp-by-id").await;
	let out = &done["output"];
	assert_eq!(out["quantized"], expected["quantized"]);
	let input = hex::decode(expected["input_hex"].as_str().unwrap()).unwrap();
	let shape: Vec<u32> = serde_json::from_value(out["shape"].clone()).unwrap();
	let quantized: Vec<i64> = serde_json::from_value(out["quantized"].clone()).unwrap();
	let digest = synod_primitives::digest::output_digest(
		&id,
		&synod_primitives::digest::input_hash(&input),
		&shape,
		&quantized,
	);
	assert_eq!(out["digest"], json!(hex::encode(digest)));
	assert_ne!(out["digest"], expected["digest"]);
	let (status, v) = w
		.post(json!({
			"id": "mlp-bad-id",
			"model_hash": manifest("mlp")["hash"],
			"model_id": "zz",
			"input_hex": expected["input_hex"],
		}))
		.await;
	assert_eq!(status, 422, "{v}");
	assert_eq!(v["error"]["kind"], "invalid_request", "{v}");
}

#[test]
fn raw_outputs_are_within_1e5_of_python() {
	tch::set_num_threads(1);
	let backend = TchBackend::new(DeviceChoice::Cpu, 0.0).unwrap();
	for name in ["mlp", "cnn"] {
		let expected = read_json(fixtures().join(format!("{name}.expected.json")));
		let m = manifest(name);
		let module =
			backend.load(&std::fs::read(fixtures().join(format!("{name}.pt"))).unwrap()).unwrap();
		let data = hex::decode(expected["input_hex"].as_str().unwrap()).unwrap();
		let per_item: u32 = m["input"]["shape"].as_array().unwrap()[1..]
			.iter()
			.map(|d| d.as_u64().unwrap() as u32)
			.product();
		let batch = (data.len() / 4) as u32 / per_item;
		let mut shape = vec![batch];
		shape.extend(
			m["input"]["shape"].as_array().unwrap()[1..].iter().map(|d| d.as_u64().unwrap() as u32),
		);
		let out = module
			.run(&RawTensor { dtype: synod_primitives::digest::DType::F32, shape, data })
			.unwrap();
		let got: Vec<f32> =
			out.data.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect();
		let want: Vec<f64> =
			expected["output"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
		assert_eq!(got.len(), want.len());
		for (g, w) in got.iter().zip(&want) {
			assert!((f64::from(*g) - w).abs() <= 1e-5, "{name}: {g} vs {w}");
		}
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_reason_and_the_worker_keeps_serving() {
	let dir = tempfile::tempdir().unwrap();
	let models = dir.path().to_path_buf();
	std::fs::copy(fixtures().join("mlp.pt"), models.join("mlp.pt")).unwrap();
	std::fs::write(models.join("garbage.pt"), b"this is not a TorchScript archive").unwrap();
	let w = start(models.clone(), 16).await;
	let mlp = manifest("mlp");
	let good_input = hex::encode(vec![0u8; 16 * 4]);

	// Unparseable JSON.
	let (s, v) = call("POST", w.url("/v1/jobs"), Some("{not json".into())).await;
	assert_eq!(s, 400, "{v}");
	assert_eq!(v["error"]["kind"], "invalid_request");

	// Input of the wrong size for the manifest's dtype and shape.
	let (s, v) = w.post(json!({"id": "short", "model": mlp, "input_hex": "00".repeat(10)})).await;
	assert_eq!(s, 422, "{v}");
	assert_eq!(v["error"]["kind"], "invalid_input");
	assert_eq!(w.wait("short").await["status"], "failed");

	// Above the manifest's input limit.
	let mut small = mlp.clone();
	small["max_input_bytes"] = json!(32);
	let (s, v) = w.post(json!({"id": "big", "model": small, "input_hex": good_input})).await;
	assert_eq!((s, v["error"]["kind"].as_str()), (422, Some("invalid_input")), "{v}");

	// Unknown model hash, bad hash, no input.
	let (s, v) = w
		.post(json!({"id": "unknown", "model_hash": "11".repeat(32), "input_hex": good_input}))
		.await;
	assert_eq!((s, v["error"]["kind"].as_str()), (422, Some("invalid_request")), "{v}");
	let (s, _) =
		w.post(json!({"id": "nohash", "model_hash": "xyz", "input_hex": good_input})).await;
	assert_eq!(s, 422);
	let (s, _) = w.post(json!({"id": "noinput", "model": mlp})).await;
	assert_eq!(s, 422);
	let (s, v) = w.post(json!({"id": "bad id!", "model": mlp, "input_hex": good_input})).await;
	assert_eq!((s, v["error"]["kind"].as_str()), (400, Some("invalid_request")), "{v}");

	// Bytes that do not match the manifest's hash are never loaded.
	let mut lying = mlp.clone();
	lying["hash"] = json!("22".repeat(32));
	let (s, _) = w.post(json!({"id": "mismatch", "model": lying, "input_hex": good_input})).await;
	assert_eq!(s, 202);
	let v = w.wait("mismatch").await;
	assert_eq!(v["error"]["kind"], "hash_mismatch", "{v}");

	// A corrupt file whose hash matches its manifest: libtorch refuses it, cleanly.
	let garbage = std::fs::read(models.join("garbage.pt")).unwrap();
	let mut corrupt = mlp.clone();
	corrupt["hash"] = json!(hex::encode(synod_primitives::digest::input_hash(&garbage)));
	corrupt["sources"] = json!(["garbage.pt"]);
	w.post(json!({"id": "corrupt", "model": corrupt, "input_hex": good_input})).await;
	let v = w.wait("corrupt").await;
	assert_eq!(v["error"]["kind"], "model_load", "{v}");

	// An unreachable source.
	let mut remote = mlp.clone();
	remote["hash"] = json!("33".repeat(32));
	remote["sources"] = json!(["http://127.0.0.1:9/mlp.pt", "missing.pt"]);
	w.post(json!({"id": "unreachable", "model": remote, "input_hex": good_input})).await;
	let v = w.wait("unreachable").await;
	assert_eq!(v["error"]["kind"], "model_unavailable", "{v}");

	// The output does not match the manifest's output spec.
	let mut wrong_out = mlp.clone();
	wrong_out["output"] = json!({"dtype": "i64", "shape": [null, 4]});
	w.post(json!({"id": "wrong-out", "model": wrong_out, "input_hex": good_input})).await;
	let v = w.wait("wrong-out").await;
	assert_eq!(v["error"]["kind"], "invalid_output", "{v}");

	// Still serving: a good job succeeds, and posting its id again returns it (idempotent).
	let (s, _) = w.post(json!({"id": "good", "model": mlp, "input_hex": good_input})).await;
	assert_eq!(s, 202);
	assert_eq!(w.wait("good").await["status"], "succeeded");
	let (s, v) = w.post(json!({"id": "good", "model": mlp, "input_hex": good_input})).await;
	assert_eq!((s, v["status"].as_str()), (200, Some("succeeded")));
	let (s, v) = call("GET", w.url("/v1/jobs/none"), None).await;
	assert_eq!((s, v["error"]["kind"].as_str()), (404, Some("not_found")));

	let (s, health) = call("GET", w.url("/health"), None).await;
	assert_eq!((s, health["status"].as_str()), (200, Some("ok")));
	assert_eq!(health["deterministic"], true);
	assert_eq!(health["inference_cpus"], Value::Null);
	let (_, metrics) = call("GET", w.url("/metrics"), None).await;
	let metrics = metrics.as_str().unwrap().to_string();
	for needle in [
		"synod_worker_queue_depth",
		"synod_worker_inference_seconds_bucket",
		"synod_worker_errors_total{kind=\"hash_mismatch\"}",
		"synod_worker_errors_total{kind=\"model_load\"}",
		"synod_worker_jobs_total{kind=\"succeeded\"}",
	] {
		assert!(metrics.contains(needle), "metrics lack {needle}:\n{metrics}");
	}
	let (_, models) = call("GET", w.url("/v1/models"), None).await;
	let listed = models["models"].as_array().unwrap();
	assert!(listed.iter().any(|m| m["hash"] == mlp["hash"] && m["loaded"] == true), "{models}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_are_fetched_over_http_checked_and_cached() {
	let server = model_server("cnn.pt", Duration::ZERO).await;

	let empty = tempfile::tempdir().unwrap();
	let w = start(empty.path().to_path_buf(), 16).await;
	let mut cnn = manifest("cnn");
	cnn["sources"] = json!([format!("http://{server}/cnn.pt")]);
	let expected = read_json(fixtures().join("cnn.expected.json"));
	w.post(json!({"id": "remote", "model": cnn, "input_hex": expected["input_hex"]})).await;
	let v = w.wait("remote").await;
	assert_eq!(v["output"]["digest"], expected["digest"], "{v}");
	let (_, models) = call("GET", w.url("/v1/models"), None).await;
	assert_eq!(models["models"][0]["cached"], true, "{models}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_refuses_with_503() {
	// A model source that answers after 2 s keeps the first job running while we post more.
	let server = model_server("mlp.pt", Duration::from_secs(2)).await;

	let empty = tempfile::tempdir().unwrap();
	let w = start(empty.path().to_path_buf(), 1).await;
	let mut mlp = manifest("mlp");
	mlp["sources"] = json!([format!("http://{server}/mlp.pt")]);
	let input = hex::encode(vec![0u8; 16 * 4]);
	let (s, _) = w.post(json!({"id": "first", "model": mlp, "input_hex": input})).await;
	assert_eq!(s, 202);
	let (s, v) = w.post(json!({"id": "second", "model": mlp, "input_hex": input})).await;
	assert_eq!((s, v["error"]["kind"].as_str()), (503, Some("queue_full")), "{v}");
	assert_eq!(w.wait("first").await["status"], "succeeded");
	// The slot is free again.
	let (s, _) = w.post(json!({"id": "third", "model": mlp, "input_hex": input})).await;
	assert_eq!(s, 202);
	assert_eq!(w.wait("third").await["status"], "succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_submit_and_query_many_jobs_in_one_request() {
	let w = start(fixtures(), 64).await;
	let expected = read_json(fixtures().join("cnn.expected.json"));
	let hash = manifest("cnn")["hash"].clone();
	let good = |i: usize| json!({"id": format!("b-{i}"), "model_hash": hash, "input_hex": expected["input_hex"]});
	// Ten good jobs, one whose input is not a whole CNN input, one with a bad id.
	let mut jobs: Vec<Value> = (0..10).map(good).collect();
	jobs.push(json!({"id": "b-bad-input", "model_hash": hash, "input_hex": "00"}));
	jobs.push(json!({"id": "no spaces allowed", "model_hash": hash, "input_hex": "00"}));
	let (s, v) =
		call("POST", w.url("/v1/batch/submit"), Some(json!({ "jobs": jobs }).to_string())).await;
	assert_eq!(s, 200, "{v}");
	let items = v["jobs"].as_array().unwrap();
	assert_eq!(items.len(), 12);
	assert!(items[..10].iter().all(|i| i["code"] == 202), "{v}");
	assert_eq!(items[10]["code"], 422, "{v}");
	assert_eq!(items[10]["job"]["error"]["kind"], "invalid_input", "{v}");
	assert_eq!(items[11]["code"], 400, "{v}");
	assert_eq!(items[11]["error"]["kind"], "invalid_request", "{v}");
	// Query them all at once until every one is done; unknown ids answer null.
	let mut ids: Vec<String> = (0..10).map(|i| format!("b-{i}")).collect();
	ids.push("nobody".into());
	let started = Instant::now();
	loop {
		let (s, v) =
			call("POST", w.url("/v1/batch/query"), Some(json!({ "ids": ids }).to_string())).await;
		assert_eq!(s, 200, "{v}");
		let views = v["jobs"].as_array().unwrap();
		assert!(views[10].is_null());
		if views[..10].iter().all(|j| j["status"] == "succeeded") {
			assert!(views[..10].iter().all(|j| j["output"]["digest"] == expected["digest"]));
			break;
		}
		assert!(started.elapsed() < Duration::from_secs(60), "{v}");
		tokio::time::sleep(Duration::from_millis(20)).await;
	}
	// Too many items, or not JSON: 400, and the worker keeps serving.
	let many: Vec<Value> = (0..1025).map(good).collect();
	let (s, _) =
		call("POST", w.url("/v1/batch/submit"), Some(json!({ "jobs": many }).to_string())).await;
	assert_eq!(s, 400);
	let (s, _) = call("POST", w.url("/v1/batch/query"), Some("{".into())).await;
	assert_eq!(s, 400);
	let (s, v) = w.post(good(99)).await;
	assert_eq!(s, 202, "{v}");
	assert_eq!(w.wait("b-99").await["status"], "succeeded");
}
