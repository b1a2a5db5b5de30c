//! `ScienceTechService`: what only the S&T department does.

use onething_proto::onething::sciencetech::v1 as pb;
use tonic::{Request, Response, Status};

pub struct ScienceTech;

#[tonic::async_trait]
impl pb::science_tech_service_server::ScienceTechService for ScienceTech {
    async fn list_issuers(
        &self,
        _request: Request<pb::ListIssuersRequest>,
    ) -> Result<Response<pb::ListIssuersResponse>, Status> {
        let issuers = domain::province::ProvinceProfile::gansu()
            .delegated_issuers
            .iter()
            .map(|i| pb::Issuer { region_code: i.region_code.clone(), name: i.issuer.clone() })
            .collect();
        Ok(Response::new(pb::ListIssuersResponse { issuers }))
    }
}
