/// <reference types="@remix-run/dev" />

import "@remix-run/node";

// Single fetch (v3_singleFetch): loaders' types are what they return, bigint and Date included.
declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}
