export { clientInfo } from '../common/client-info.js';
