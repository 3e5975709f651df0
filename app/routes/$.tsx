import { notFound } from "~/infra/auth.server";

/** Any unknown path: the 404 page, in the reader's language. */
export async function loader() {
  throw notFound();
}

export default function NotFound() {
  return null;
}
