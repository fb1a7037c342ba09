//! The pallets whose benchmarks the runtime exposes (`frame-omni-bencher v1 benchmark pallet`).

frame_benchmarking::define_benchmarks!(
	[frame_benchmarking, BaselineBench::<Runtime>]
	[frame_system, SystemBench::<Runtime>]
	[frame_system_extensions, SystemExtensionsBench::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_models, Models]
	[pallet_providers, Providers]
	[pallet_jobs, Jobs]
);
