/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origin of the API when it is not the app's own, e.g. "https://api.example.com". Default: same origin. */
  readonly VITE_API_BASE?: string;
}
