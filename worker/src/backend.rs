//! Inference backends. [`TchBackend`] runs TorchScript with libtorch; the trait keeps the job
//! pipeline independent of it.

use std::{io::Cursor, sync::Arc};

use synod_primitives::digest::DType;
use tch::{CModule, Device, IValue, Kind, Tensor};

use crate::error::JobError;

/// A dense little-endian tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct RawTensor {
	/// Element type.
	pub dtype: DType,
	/// Dimensions.
	pub shape: Vec<u32>,
	/// Little-endian element bytes, row-major.
	pub data: Vec<u8>,
}

/// A model loaded on a device, ready to run.
pub trait Loaded: Send + Sync {
	/// Runs the model on one input; the first output tensor comes back on the host.
	fn run(&self, input: &RawTensor) -> Result<RawTensor, JobError>;
}

/// Something that loads and runs models.
pub trait Backend: Send + Sync {
	/// The device models run on (`"cpu"`, `"cuda:0"`).
	fn device(&self) -> String;
	/// Loads a model from its (already hash-checked) bytes.
	fn load(&self, bytes: &[u8]) -> Result<Arc<dyn Loaded>, JobError>;
}

/// Which device to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceChoice {
	/// CUDA device 0 when libtorch sees one, the CPU otherwise.
	Auto,
	/// The CPU.
	Cpu,
	/// CUDA device `n`.
	Cuda(usize),
}

impl std::str::FromStr for DeviceChoice {
	type Err = String;
	fn from_str(s: &str) -> Result<Self, Self::Err> {
		match s {
			"auto" => Ok(DeviceChoice::Auto),
			"cpu" => Ok(DeviceChoice::Cpu),
			"cuda" => Ok(DeviceChoice::Cuda(0)),
			other => other
				.strip_prefix("cuda:")
				.and_then(|n| n.parse().ok())
				.map(DeviceChoice::Cuda)
				.ok_or_else(|| format!("device must be auto, cpu, cuda or cuda:N, got {other:?}")),
		}
	}
}

/// libtorch on one device.
pub struct TchBackend {
	device: Device,
	/// Testing only: added to every floating output element (a dishonest provider).
	perturb: f64,
}

fn kind_of(dtype: DType) -> Kind {
	match dtype {
		DType::F16 => Kind::Half,
		DType::BF16 => Kind::BFloat16,
		DType::F32 => Kind::Float,
		DType::F64 => Kind::Double,
		DType::U8 => Kind::Uint8,
		DType::I8 => Kind::Int8,
		DType::I16 => Kind::Int16,
		DType::I32 => Kind::Int,
		DType::I64 => Kind::Int64,
		DType::Bool => Kind::Bool,
	}
}

fn dtype_of(kind: Kind) -> Option<DType> {
	Some(match kind {
		Kind::Half => DType::F16,
		Kind::BFloat16 => DType::BF16,
		Kind::Float => DType::F32,
		Kind::Double => DType::F64,
		Kind::Uint8 => DType::U8,
		Kind::Int8 => DType::I8,
		Kind::Int16 => DType::I16,
		Kind::Int => DType::I32,
		Kind::Int64 => DType::I64,
		Kind::Bool => DType::Bool,
		_ => return None,
	})
}

impl TchBackend {
	/// Picks the device; fails when CUDA is asked for and libtorch sees no such device.
	pub fn new(choice: DeviceChoice, perturb: f64) -> Result<Self, String> {
		let cuda = tch::Cuda::device_count();
		let device = match choice {
			DeviceChoice::Cpu => Device::Cpu,
			DeviceChoice::Auto => Device::cuda_if_available(),
			DeviceChoice::Cuda(n) => {
				if i64::try_from(n).map_or(true, |n| n >= cuda) {
					return Err(format!("cuda:{n} requested, libtorch sees {cuda} CUDA devices"));
				}
				Device::Cuda(n)
			},
		};
		Ok(TchBackend { device, perturb })
	}

	/// Number of CUDA devices libtorch sees.
	pub fn cuda_device_count() -> i64 {
		tch::Cuda::device_count()
	}
}

impl Backend for TchBackend {
	fn device(&self) -> String {
		match self.device {
			Device::Cpu => "cpu".into(),
			Device::Cuda(n) => format!("cuda:{n}"),
			other => format!("{other:?}").to_lowercase(),
		}
	}

	fn load(&self, bytes: &[u8]) -> Result<Arc<dyn Loaded>, JobError> {
		let mut module = CModule::load_data_on_device(&mut Cursor::new(bytes), self.device)
			.map_err(|e| JobError::ModelLoad(first_line(&e.to_string())))?;
		module.f_set_eval().map_err(|e| JobError::ModelLoad(first_line(&e.to_string())))?;
		Ok(Arc::new(TchModule { module, device: self.device, perturb: self.perturb }))
	}
}

/// libtorch's messages carry a C++ backtrace and, from TorchScript, the failing graph. The
/// reason is the last `…Error: …` line when there is one (TorchScript puts it last), else the
/// first line.
fn first_line(s: &str) -> String {
	let reason = s
		.lines()
		.rev()
		.find(|l| l.contains("Error: "))
		.or_else(|| s.lines().next())
		.unwrap_or(s)
		.trim();
	reason.chars().take(500).collect()
}

struct TchModule {
	module: CModule,
	device: Device,
	perturb: f64,
}

impl TchModule {
	fn first_tensor(v: IValue) -> Option<Tensor> {
		match v {
			IValue::Tensor(t) => Some(t),
			IValue::Tuple(items) | IValue::GenericList(items) => {
				items.into_iter().find_map(Self::first_tensor)
			},
			IValue::TensorList(ts) => ts.into_iter().next(),
			_ => None,
		}
	}
}

impl Loaded for TchModule {
	fn run(&self, input: &RawTensor) -> Result<RawTensor, JobError> {
		// Grad mode is per thread: every inference thread sets it for itself.
		let _guard = tch::no_grad_guard();
		let err = |e: tch::TchError| JobError::Inference(first_line(&e.to_string()));
		let shape: Vec<i64> = input.shape.iter().map(|&d| i64::from(d)).collect();
		let x = Tensor::f_from_data_size(&input.data, &shape, kind_of(input.dtype))
			.map_err(err)?
			.f_to_device(self.device)
			.map_err(err)?;
		let out = self.module.forward_is(&[IValue::Tensor(x)]).map_err(err)?;
		let mut out = Self::first_tensor(out)
			.ok_or_else(|| JobError::InvalidOutput("the model returned no tensor".into()))?;
		if self.perturb != 0.0 && out.f_is_floating_point().map_err(err)? {
			out = out.f_add_scalar(self.perturb).map_err(err)?;
		}
		let out = out.f_to_device(Device::Cpu).map_err(err)?.f_contiguous().map_err(err)?;
		let kind = out.f_kind().map_err(err)?;
		let dtype = dtype_of(kind)
			.ok_or_else(|| JobError::InvalidOutput(format!("unsupported output kind {kind:?}")))?;
		let dims = out.size();
		let shape = dims
			.iter()
			.map(|&d| u32::try_from(d))
			.collect::<Result<Vec<u32>, _>>()
			.map_err(|_| JobError::InvalidOutput(format!("output shape {dims:?}")))?;
		let numel = out.numel();
		let len = numel
			.checked_mul(dtype.size())
			.ok_or_else(|| JobError::InvalidOutput("output too large".into()))?;
		let mut data = vec![0u8; len];
		out.f_copy_data_u8(&mut data, numel).map_err(err)?;
		Ok(RawTensor { dtype, shape, data })
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn device_choice_parses() {
		assert_eq!("auto".parse(), Ok(DeviceChoice::Auto));
		assert_eq!("cuda:1".parse(), Ok(DeviceChoice::Cuda(1)));
		assert!("gpu".parse::<DeviceChoice>().is_err());
	}

	#[test]
	fn every_dtype_maps_to_a_kind_and_back() {
		for d in [DType::F16, DType::BF16, DType::F32, DType::F64, DType::U8, DType::I8]
			.into_iter()
			.chain([DType::I16, DType::I32, DType::I64, DType::Bool])
		{
			assert_eq!(dtype_of(kind_of(d)), Some(d));
		}
	}
}
