import type { paths } from '../../api/schema';

/** Response types of the supervision routes, as the served API document declares them. */
type Ok<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'patch'> = paths[P][M] extends {
  responses: { 200?: { content: { 'application/json': infer R } } } | { 201?: { content: { 'application/json': infer R } } };
}
  ? R
  : never;

export type AssessmentList = Ok<'/api/v1/risk-assessments', 'get'>;
export type AssessmentSummary = AssessmentList['items'][number];
export type Assessment = Ok<'/api/v1/risk-assessments/{id}', 'get'>;
export type RiskItem = Assessment['items'][number];
export type Indicator = Assessment['indicators'][number];
export type Rectification = Assessment['rectifications'][number];
export type RiskLevel = RiskItem['level'];

export type InspectionList = Ok<'/api/v1/inspections', 'get'>;
export type InspectionSummary = InspectionList['items'][number];
export type Inspection = Ok<'/api/v1/inspections/{id}', 'get'>;
export type InspectionItem = Inspection['items'][number];
export type Finding = Inspection['findings'][number];
export type ItemResult = InspectionItem['result'];

export type NoticeList = Ok<'/api/v1/notices', 'get'>;
export type Notice = NoticeList['items'][number];

export type Port = Ok<'/api/v1/departments/{code}/ports', 'get'>['items'][number];

export type IncidentList = Ok<'/api/v1/incidents', 'get'>;
export type Incident = IncidentList['items'][number];
export type IncidentType = Incident['type'];
export const INCIDENT_TYPES: readonly IncidentType[] = ['negligent_leak', 'lost_written_list', 'selling_for_gain', 'illegal_acquisition', 'other'];

export type SanctionList = Ok<'/api/v1/sanctions', 'get'>;
export type Sanction = SanctionList['items'][number];
export type SanctionRules = Ok<'/api/v1/sanctions/rules', 'get'>;
