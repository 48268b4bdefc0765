export {
  createCodikaActivities,
  type CodikaActivities,
  type CodikaActivitiesOptions,
} from './create-codika-activities';
export { type CodikaCredentials } from './credentials';
export { CodikaCredentialsMissingError } from './errors';
export { toApplicationFailure } from './to-application-failure';
