//! gRPC surface of service-center: request → domain conversion and case → message.

use platform::audit::Audit;
use std::collections::BTreeMap;
use std::pin::Pin;

use futures::{Stream, StreamExt};

use domain::Role;
use domain::case::TimelineEvent;
use domain::intake::{
    ApplicantInput, EmployerInput, MaterialRefInput, NewCase, PositionInput, ProfileInput, SubmissionInput,
};
use onething_proto::common as pbc;
use onething_proto::onething::servicecenter::v1 as pb;
use platform::app::Base;
use platform::identity::{caller, idempotency_key};
use prost::Message;
use tonic::{Request, Response, Status};
use tracing::instrument;

use crate::cases::{self, Submitted};
use crate::dishonesty::{self, RulesCache};
use crate::documents::Documents;
use crate::materials::{self, MaterialRow};
use crate::store::CaseView;
use platform::ServiceError;

pub struct ServiceCenter {
    pub base: Base,
    pub rules: RulesCache,
    pub documents: Documents,
}

fn opt_date(s: &str) -> Option<String> {
    Some(s.to_string()).filter(|s| !s.trim().is_empty())
}

fn material_pb(m: &MaterialRow) -> pb::Material {
    pb::Material {
        id: m.id.clone(),
        kind: m.kind.clone(),
        sha256: m.sha256.clone(),
        size: m.size,
        content_type: m.content_type.clone(),
        uploaded_at: platform::time::rfc3339(m.uploaded_at),
    }
}

fn opt(s: &str) -> Option<String> {
    Some(s.to_string()).filter(|s| !s.trim().is_empty())
}

/// Empty strings and zeros of proto3 mean "not given".
pub fn submission_input(r: &pb::SubmitCaseRequest) -> SubmissionInput {
    let e = r.employer.clone().unwrap_or_default();
    let a = r.applicant.clone().unwrap_or_default();
    let p = r.position.clone().unwrap_or_default();
    let f = r.profile.clone().unwrap_or_default();
    SubmissionInput {
        employer: EmployerInput {
            credit_code: opt(&e.credit_code),
            name: opt(&e.name),
            region_code: opt(&e.region_code),
            kind: opt(&e.kind),
            sector_preapproval: e.sector_preapproval.clone(),
        },
        applicant: ApplicantInput {
            surname: opt(&a.surname),
            given_names: opt(&a.given_names),
            sex: opt(&a.sex),
            nationality: opt(&a.nationality),
            birth_date: opt(&a.birth_date),
            passport_number: opt(&a.passport_number),
            passport_expiry: opt(&a.passport_expiry),
            ..Default::default()
        },
        position: PositionInput {
            title: opt(&p.title),
            annual_salary_cny: r.position.as_ref().map(|p| p.annual_salary_cny),
            start_date: opt(&p.start_date),
            contract_months: r.position.as_ref().map(|p| p.contract_months as i64),
            sector: p.sector.clone(),
        },
        profile: ProfileInput {
            education: opt(&f.education),
            vocational: opt(&f.vocational),
            work_experience_years: r.profile.as_ref().map(|p| p.work_experience_years),
            months_in_china_per_year: r.profile.as_ref().map(|p| p.months_in_china_per_year as i64),
            chinese: opt(&f.chinese),
            extras: f.extras.clone(),
            local_bonus: r.profile.as_ref().map(|p| p.local_bonus as i64),
            direct_qualification: f.direct_qualification.clone().filter(|s| !s.is_empty()),
        },
        items: r.items.clone(),
        materials: r
            .materials
            .iter()
            .map(|m| MaterialRefInput { kind: opt(&m.kind), id: opt(&m.id), ..Default::default() })
            .collect(),
        category: opt(&r.category),
    }
}

pub fn employer_pb(c: &NewCase) -> pbc::Employer {
    pbc::Employer {
        credit_code: c.employer.credit_code.to_string(),
        name: c.employer.name.clone(),
        region_code: c.employer.region_code.clone(),
        kind: c.employer.kind.as_str().into(),
        sector_preapproval: c.employer.sector_preapproval.clone(),
    }
}

/// The applicant's person key, the only trace of the person that events carry.
pub fn person_key_of(c: &NewCase) -> String {
    let a = &c.applicant;
    domain::ids::person_key(a.nationality.as_str(), &a.birth_date.to_string(), a.passport_number.expose())
        .unwrap_or_default()
}

pub fn position_pb(c: &NewCase) -> pbc::Position {
    pbc::Position {
        title: c.position.title.clone(),
        annual_salary_cny: c.position.annual_salary_cny as i64,
        start_date: c.position.start_date.to_string(),
        contract_months: c.position.contract_months as i32,
        sector: c.position.sector.map(|s| s.as_str().to_string()),
    }
}

/// Working days from today (Beijing) to `due` (YYYY-MM-DD); negative once it has passed.
fn working_days_left(due: &str) -> Option<i32> {
    let due = chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d").ok()?;
    let left = crate::deadlines::calendar().working_days_left(platform::time::today_cst(), due);
    i32::try_from(left).ok()
}

pub fn case_pb(v: &CaseView) -> pb::Case {
    let c = &v.case;
    pb::Case {
        id: c.id.clone(),
        case_no: c.case_no.clone(),
        status: c.status.as_str().into(),
        category: c.category.clone(),
        submitted_at: platform::time::rfc3339(c.submitted_at),
        accepted_on: c.accepted_on.clone(),
        due: Some(pb::Due {
            committed: c.due_committed.clone(),
            statutory: c.due_statutory.clone(),
            estimated: c.due_estimated != 0,
            working_days_left: working_days_left(&c.due_committed).unwrap_or_default(),
        }),
        items: v
            .items
            .iter()
            .map(|i| pb::CaseItem {
                item: i.item.clone(),
                department: i.department.clone(),
                status: i.status.as_str().into(),
                result: serde_json::from_str::<BTreeMap<String, String>>(&i.result)
                    .unwrap_or_default()
                    .into_iter()
                    .collect(),
                updated_at: platform::time::rfc3339(i.updated_at),
                due_on: i.due_on.clone().unwrap_or_default(),
                decided_on: i.decided_on.clone().unwrap_or_default(),
                working_days_left: i.due_on.as_deref().and_then(working_days_left),
            })
            .collect(),
        notices: notices(&v.timeline),
        timeline: v
            .timeline
            .iter()
            .map(|t| pb::TimelineEntry {
                at: platform::time::rfc3339(t.at),
                event: t.event.clone(),
                item: t.item.clone(),
                detail: t.detail.clone(),
            })
            .collect(),
        employer_credit_code: c.employer_credit_code.clone(),
        employer_name: c.employer_name.clone(),
        evaluations: v.evaluations.iter().map(evaluation_pb).collect(),
        messages: v.messages.iter().map(message_pb).collect(),
        clock_paused_on: c.clock_paused_on.clone().unwrap_or_default(),
        materials: v.materials.iter().map(material_pb).collect(),
        issuer: issuer_of(v),
        classification: c
            .classification
            .as_deref()
            .and_then(|j| serde_json::from_str::<crate::store::ClassificationRecord>(j).ok())
            .map(|r| pb::CaseClassification {
                points: r.points,
                route: r.route.as_str().into(),
                points_category: r.points_category.as_str().into(),
                breakdown: r
                    .breakdown
                    .iter()
                    .map(|f| pb::FactorPoints { factor: f.factor.as_str().into(), points: f.points, max: f.max })
                    .collect(),
            }),
    }
}

/// The office that issues the case's work permit: the issued permit's (from
/// `permit-approved`), before that the classification's at intake.
fn issuer_of(v: &crate::store::CaseView) -> String {
    let issued = v
        .items
        .iter()
        .find(|i| i.item == domain::case::Item::WorkPermit.as_str())
        .and_then(|i| serde_json::from_str::<BTreeMap<String, String>>(&i.result).ok())
        .and_then(|r| r.get("issuer").cloned());
    issued
        .or_else(|| {
            v.case
                .classification
                .as_deref()
                .and_then(|j| serde_json::from_str::<crate::store::ClassificationRecord>(j).ok())
                .map(|r| r.issuer)
        })
        .unwrap_or_default()
}

fn evaluation_pb(e: &crate::store::EvaluationRow) -> pb::Evaluation {
    pb::Evaluation {
        item: e.item.clone(),
        rating: e.rating as i32,
        comment: e.comment.clone(),
        at: platform::time::rfc3339(e.at),
    }
}

fn message_pb(m: &crate::store::MessageRow) -> pb::CaseMessage {
    pb::CaseMessage {
        id: m.id.clone(),
        kind: m.kind.clone(),
        channel: m.channel.clone(),
        text: m.body.clone(),
        author_role: m.author_role.clone(),
        at: platform::time::rfc3339(m.at),
        answer: m.answer.clone().unwrap_or_default(),
        answered_by: m.answered_by.clone().unwrap_or_default(),
        answered_at: m.answered_at.map(platform::time::rfc3339).unwrap_or_default(),
    }
}

/// The stream of `GetMaterial`: the description, then the content.
type MaterialStream = Pin<Box<dyn Stream<Item = Result<pb::GetMaterialResponse, Status>> + Send>>;

fn applicant_from(a: crate::applicants::Applicant) -> pbc::Applicant {
    pbc::Applicant {
        surname: a.surname.unwrap_or_default(),
        given_names: a.given_names.unwrap_or_default(),
        sex: a.sex.unwrap_or_default(),
        nationality: a.nationality.unwrap_or_default(),
        birth_date: a.birth_date.unwrap_or_default(),
        passport_number: a.passport_number.unwrap_or_default(),
        passport_expiry: a.passport_expiry.unwrap_or_default(),
    }
}

#[tonic::async_trait]
impl pb::service_center_service_server::ServiceCenterService for ServiceCenter {
    type GetMaterialStream = MaterialStream;

    #[instrument(skip_all, name = "SubmitCase")]
    async fn submit_case(
        &self,
        request: Request<pb::SubmitCaseRequest>,
    ) -> Result<Response<pb::SubmitCaseResponse>, Status> {
        let actor = caller(&request)?;
        let key = idempotency_key(&request);
        let req = request.into_inner();
        // The fingerprint of the request for idempotency: its body without the caller.
        let fingerprint = pb::SubmitCaseRequest { validate_only: false, ..req.clone() }.encode_to_vec();
        let submission = cases::Submission {
            input: submission_input(&req),
            material_dates: req.materials.iter().map(|m| (opt_date(&m.dated_on), opt_date(&m.expires_on))).collect(),
            fingerprint,
            idempotency_key: key,
            validate_only: req.validate_only,
        };
        let rules = self.rules.get(&self.base.db).await?;
        let out = cases::submit(&self.base, &self.documents, &rules, &actor, submission).await?;
        let (case, replayed) = match out {
            Submitted::Created(v) => {
                tracing::info!(case_id = %v.case.id, case_no = %v.case.case_no, category = %v.case.category, "case accepted");
                (Some(case_pb(&v)), false)
            }
            Submitted::Replayed(v) => (Some(case_pb(&v)), true),
            Submitted::Valid => (None, false),
        };
        Ok(Response::new(pb::SubmitCaseResponse { case, replayed }))
    }

    #[instrument(skip_all, name = "GetCase")]
    async fn get_case(&self, request: Request<pb::GetCaseRequest>) -> Result<Response<pb::GetCaseResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let view = cases::get(&self.base, &actor, &req.id).await?;
        Ok(Response::new(pb::GetCaseResponse { case: Some(case_pb(&view)) }))
    }

    #[instrument(skip_all, name = "ListCases")]
    async fn list_cases(
        &self,
        request: Request<pb::ListCasesRequest>,
    ) -> Result<Response<pb::ListCasesResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let list = cases::ListRequest {
            status: &req.status,
            department: &req.department,
            limit: req.limit,
            cursor: &req.cursor,
        };
        let (views, next) = cases::list(&self.base, &actor, &list).await?;
        Ok(Response::new(pb::ListCasesResponse {
            cases: views.iter().map(case_pb).collect(),
            next_cursor: next.unwrap_or_default(),
        }))
    }

    #[instrument(skip_all, name = "UploadMaterial")]
    async fn upload_material(
        &self,
        request: Request<pb::UploadMaterialRequest>,
    ) -> Result<Response<pb::UploadMaterialResponse>, Status> {
        let actor = caller(&request)?;
        let key = idempotency_key(&request);
        let req = request.into_inner();
        let row = materials::upload(
            &self.base,
            &self.documents,
            &actor,
            &req.kind,
            &req.content_type,
            req.content.into(),
            key.as_deref(),
        )
        .await?;
        Ok(Response::new(pb::UploadMaterialResponse { material: Some(material_pb(&row)) }))
    }

    #[instrument(skip_all, name = "GetMaterial")]
    async fn get_material(&self, request: Request<pb::GetMaterialRequest>) -> Result<Response<MaterialStream>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let opened = materials::open(&self.base, &self.documents, &actor, &req.id).await?;
        use pb::get_material_response::Part;
        let head = pb::GetMaterialResponse { part: Some(Part::Material(material_pb(&opened.row))) };
        let chunks = opened.content.map(|chunk| match chunk {
            Ok(bytes) => Ok(pb::GetMaterialResponse { part: Some(Part::Chunk(bytes.to_vec())) }),
            Err(e) => {
                tracing::error!(error = %e, "reading a stored material failed");
                Err(Status::internal("the stored file could not be read"))
            }
        });
        Ok(Response::new(Box::pin(futures::stream::once(async { Ok(head) }).chain(chunks))))
    }

    #[instrument(skip_all, name = "GetEvidence")]
    async fn get_evidence(
        &self,
        request: Request<pb::GetEvidenceRequest>,
    ) -> Result<Response<pb::GetEvidenceResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let row = materials::evidence(&self.base, &actor, &req.case_id, &req.material_id).await?;
        Ok(Response::new(pb::GetEvidenceResponse { material: Some(material_pb(&row)) }))
    }

    #[instrument(skip_all, name = "GetApplicant")]
    async fn get_applicant(
        &self,
        request: Request<pb::GetApplicantRequest>,
    ) -> Result<Response<pb::GetApplicantResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let applicant = crate::applicants::get(&self.base, &actor, &req.case_id).await?;
        Ok(Response::new(pb::GetApplicantResponse { applicant: Some(applicant_from(applicant)) }))
    }

    #[instrument(skip_all, name = "ShareRecord")]
    async fn share_record(
        &self,
        request: Request<pb::ShareRecordRequest>,
    ) -> Result<Response<pb::ShareRecordResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let shared = crate::applicants::share(&self.base, &actor, &req.case_id, &req.purpose, &req.fields).await?;
        Ok(Response::new(pb::ShareRecordResponse {
            applicant: Some(applicant_from(shared.applicant)),
            person_key: shared.person_key,
            legal_basis: shared.legal_basis.into(),
        }))
    }

    #[instrument(skip_all, name = "GetDishonestyList")]
    async fn get_dishonesty_list(
        &self,
        request: Request<pb::GetDishonestyListRequest>,
    ) -> Result<Response<pb::GetDishonestyListResponse>, Status> {
        let actor = caller(&request)?;
        if !actor.role.is_operator() {
            return Err(ServiceError::PermissionDenied(
                "only administrators and operators read the dishonesty list".into(),
            )
            .into());
        }
        let codes = dishonesty::list(&self.base.db).await?;
        let (version, replaced_at) = dishonesty::meta(&self.base.db).await?;
        Ok(Response::new(pb::GetDishonestyListResponse {
            credit_codes: codes,
            version,
            replaced_at: platform::time::rfc3339(replaced_at),
        }))
    }

    #[instrument(skip_all, name = "ReplaceDishonestyList")]
    async fn replace_dishonesty_list(
        &self,
        request: Request<pb::ReplaceDishonestyListRequest>,
    ) -> Result<Response<pb::ReplaceDishonestyListResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        if !actor.is(Role::Admin) {
            return Err(
                ServiceError::PermissionDenied("only an administrator replaces the dishonesty list".into()).into()
            );
        }
        let (count, version) = dishonesty::replace(&self.base.db, &req.credit_codes, &actor.subject).await?;
        actor
            .audit(
                &self.base.db,
                "dishonesty_list.replace",
                "dishonesty_list",
                &format!("{count} codes, version {version}"),
            )
            .await?;
        tracing::info!(count, version, "dishonesty list replaced");
        Ok(Response::new(pb::ReplaceDishonestyListResponse { count, version }))
    }

    #[instrument(skip_all, name = "SupplementCase")]
    async fn supplement_case(
        &self,
        request: Request<pb::SupplementCaseRequest>,
    ) -> Result<Response<pb::SupplementCaseResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let materials: Vec<(Option<String>, Option<String>)> =
            req.materials.iter().map(|m| (opt(&m.kind), opt(&m.id))).collect();
        let view = cases::supplement(&self.base, &actor, &req.case_id, &materials).await?;
        Ok(Response::new(pb::SupplementCaseResponse { case: Some(case_pb(&view)) }))
    }

    #[instrument(skip_all, name = "EvaluateItem")]
    async fn evaluate_item(
        &self,
        request: Request<pb::EvaluateItemRequest>,
    ) -> Result<Response<pb::EvaluateItemResponse>, Status> {
        let actor = caller(&request)?;
        let key = idempotency_key(&request);
        let req = request.into_inner();
        let e = cases::evaluate(&self.base, &actor, &req.case_id, &req.item, req.rating, &req.comment, key.as_deref())
            .await?;
        Ok(Response::new(pb::EvaluateItemResponse { evaluation: Some(evaluation_pb(&e)) }))
    }

    #[instrument(skip_all, name = "AddMessage")]
    async fn add_message(
        &self,
        request: Request<pb::AddMessageRequest>,
    ) -> Result<Response<pb::AddMessageResponse>, Status> {
        let actor = caller(&request)?;
        let key = idempotency_key(&request);
        let req = request.into_inner();
        let m =
            cases::add_message(&self.base, &actor, &req.case_id, &req.kind, &req.channel, &req.text, key.as_deref())
                .await?;
        Ok(Response::new(pb::AddMessageResponse { message: Some(message_pb(&m)) }))
    }

    #[instrument(skip_all, name = "AnswerMessage")]
    async fn answer_message(
        &self,
        request: Request<pb::AnswerMessageRequest>,
    ) -> Result<Response<pb::AnswerMessageResponse>, Status> {
        let actor = caller(&request)?;
        let req = request.into_inner();
        let m = cases::answer_message(&self.base, &actor, &req.case_id, &req.message_id, &req.answer).await?;
        Ok(Response::new(pb::AnswerMessageResponse { message: Some(message_pb(&m)) }))
    }

    #[instrument(skip_all, name = "GetStats")]
    async fn get_stats(&self, request: Request<pb::GetStatsRequest>) -> Result<Response<pb::GetStatsResponse>, Status> {
        let actor = caller(&request)?;
        // Operators, and the ops read model calling as itself (counts only, no person).
        if !(actor.role.is_operator() || actor.role == Role::System) {
            return Err(ServiceError::PermissionDenied("the statistics are for operators".into()).into());
        }
        let figures = crate::stats::compute(&self.base.db.pool).await.map_err(ServiceError::from)?;
        Ok(Response::new(pb::GetStatsResponse { json: figures.to_string() }))
    }

    #[instrument(skip_all, name = "GetForeignerOverview")]
    async fn get_foreigner_overview(
        &self,
        request: Request<pb::GetForeignerOverviewRequest>,
    ) -> Result<Response<pb::GetForeignerOverviewResponse>, Status> {
        let actor = caller(&request)?;
        Ok(Response::new(crate::foreigner::overview(&self.base, &actor).await?))
    }
}

/// Written reasons of a refusal, and what each supplement request asks for, marked
/// answered on the day of the first supplement after it.
fn notices(timeline: &[crate::store::TimelineRow]) -> Vec<pb::Notice> {
    let requested = TimelineEvent::SupplementRequested.as_str();
    let supplemented = TimelineEvent::CaseSupplemented.as_str();
    timeline
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let kind = if t.event == TimelineEvent::PermitRefused.as_str() {
                "refusal"
            } else if t.event == requested {
                requested
            } else {
                return None;
            };
            let answered = (kind == requested)
                .then(|| timeline[i + 1..].iter().find(|later| later.event == supplemented))
                .flatten()
                .map(|later| {
                    platform::time::cst_date(&platform::time::rfc3339(later.at)).unwrap_or_default().to_string()
                });
            let (materials, text) = match crate::events::read_supplement_detail(&t.detail) {
                Some((materials, note)) if kind == requested => (materials, note),
                _ => (Vec::new(), t.detail.clone()),
            };
            Some(pb::Notice {
                kind: kind.into(),
                text,
                at: platform::time::rfc3339(t.at),
                answered_on: answered.unwrap_or_default(),
                materials,
            })
        })
        .collect()
}
