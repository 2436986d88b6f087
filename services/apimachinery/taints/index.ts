export { toleratesTaint, type Taint, type Toleration } from "./taints.js";
