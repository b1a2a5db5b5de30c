//! gRPC clients of the department services, with the caller's trace context attached.

use domain::case::Department;
use onething_proto::onething::audit::v1::audit_service_client::AuditServiceClient;
use onething_proto::onething::hrss::v1::hrss_service_client::HrssServiceClient;
use onething_proto::onething::ops::v1::ops_service_client::OpsServiceClient;
use onething_proto::onething::permit::v1::permit_service_client::PermitServiceClient;
use onething_proto::onething::publicsecurity::v1::public_security_service_client::PublicSecurityServiceClient;
use onething_proto::onething::servicecenter::v1::service_center_service_client::ServiceCenterServiceClient;
use tonic::transport::Channel;
use tonic_health::pb::health_client::HealthClient;

use platform::identity::Signer;

use crate::config::ServiceUrls;

#[derive(Clone)]
pub struct Clients {
    /// Signs the token of every call with the gateway's own key.
    signer: Signer,
    pub service_center: Channel,
    pub science_tech: Channel,
    pub hrss: Channel,
    pub public_security: Channel,
    pub ops: Channel,
}

fn lazy(url: &str) -> anyhow::Result<Channel> {
    platform::grpc::lazy_channel(url, std::time::Duration::from_secs(15))
}

impl Clients {
    pub fn new(urls: &ServiceUrls, signer: Signer) -> anyhow::Result<Clients> {
        Ok(Clients {
            signer,
            service_center: lazy(&urls.service_center)?,
            science_tech: lazy(&urls.science_tech)?,
            hrss: lazy(&urls.hrss)?,
            public_security: lazy(&urls.public_security)?,
            ops: lazy(&urls.ops)?,
        })
    }

    pub fn service_center(&self) -> ServiceCenterServiceClient<Channel> {
        ServiceCenterServiceClient::new(self.service_center.clone()).max_encoding_message_size(12 * 1024 * 1024)
    }

    /// The permit desk of `department` (science-tech or hrss).
    pub fn permits(&self, department: Department) -> Option<PermitServiceClient<Channel>> {
        match department {
            Department::ScienceTech => Some(PermitServiceClient::new(self.science_tech.clone())),
            Department::Hrss => Some(PermitServiceClient::new(self.hrss.clone())),
            Department::PublicSecurity => None,
        }
    }

    pub fn hrss(&self) -> HrssServiceClient<Channel> {
        HrssServiceClient::new(self.hrss.clone())
    }

    pub fn public_security(&self) -> PublicSecurityServiceClient<Channel> {
        PublicSecurityServiceClient::new(self.public_security.clone())
    }

    pub fn ops(&self) -> OpsServiceClient<Channel> {
        OpsServiceClient::new(self.ops.clone())
    }

    pub fn all(&self) -> [(&'static str, Channel); 4] {
        [
            ("service-center", self.service_center.clone()),
            ("science-tech", self.science_tech.clone()),
            ("hrss", self.hrss.clone()),
            ("public-security", self.public_security.clone()),
        ]
    }

    /// The access log of every service that keeps one.
    pub fn audit_logs(&self) -> [AuditServiceClient<Channel>; 5] {
        [&self.service_center, &self.science_tech, &self.hrss, &self.public_security, &self.ops]
            .map(|c| AuditServiceClient::new(c.clone()))
    }

    pub fn health(channel: Channel) -> HealthClient<Channel> {
        HealthClient::new(channel)
    }
}

impl Clients {
    /// A call on behalf of `actor`: the signed internal token naming them, the current
    /// trace context and, for commands, the idempotency key.
    pub fn request<T>(&self, actor: &domain::Actor, message: T, idempotency_key: Option<&str>) -> tonic::Request<T> {
        self.signer.request(actor, message, idempotency_key)
    }
}
