//! Generated protobuf and gRPC code for every package under `proto/`, compiled once here.
//!
//! Modules follow the proto packages: `onething::common::v1`, `onething::events::v1`,
//! `onething::permit::v1`, `onething::servicecenter::v1`, ...

#![allow(clippy::all, clippy::pedantic)]

pub mod onething {
    pub mod audit {
        pub mod v1 {
            tonic::include_proto!("onething.audit.v1");
        }
    }
    pub mod common {
        pub mod v1 {
            tonic::include_proto!("onething.common.v1");
        }
    }
    pub mod events {
        pub mod v1 {
            tonic::include_proto!("onething.events.v1");
        }
    }
    pub mod permit {
        pub mod v1 {
            tonic::include_proto!("onething.permit.v1");
        }
    }
    pub mod sciencetech {
        pub mod v1 {
            tonic::include_proto!("onething.sciencetech.v1");
        }
    }
    pub mod hrss {
        pub mod v1 {
            tonic::include_proto!("onething.hrss.v1");
        }
    }
    pub mod publicsecurity {
        pub mod v1 {
            tonic::include_proto!("onething.publicsecurity.v1");
        }
    }
    pub mod ops {
        pub mod v1 {
            tonic::include_proto!("onething.ops.v1");
        }
    }
    pub mod servicecenter {
        pub mod v1 {
            tonic::include_proto!("onething.servicecenter.v1");
        }
    }
}

pub use onething::{common::v1 as common, events::v1 as events};

pub mod wire;
pub use wire::{FromWire, ToWire, UnknownWire};

/// Serialized `FileDescriptorSet` of every package, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptor.bin"));
