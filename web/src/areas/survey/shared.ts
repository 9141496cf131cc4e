import type { paths } from '../../api/schema';

export type SurveyNote = paths['/api/v1/survey-notes/{id}']['get']['responses'][200]['content']['application/json'];
