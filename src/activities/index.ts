export {
  createCodikaActivities,
  type CodikaActivities,
  type CodikaActivitiesOptions,
} from './create-codika-activities';
export { CodikaCredentialsMissingError, type CodikaCredentials } from './credentials';
export { toApplicationFailure } from './to-application-failure';
