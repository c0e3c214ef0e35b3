/**
 * Masking of URL credentials wherever a URL is printed (config show, ConfigError, connection errors, log
 * lines): the user name stays (it says who connects), the password becomes `***`.
 */

const MASK = '***';

/**
 * `postgres://u:s3cret@host/db` → `postgres://u:***@host/db`; a URL without a password comes back as it is.
 * A string that does not parse as a URL (a password with an unencoded `/`, a bad port) has everything
 * between `//` and its last `@` masked, since where the password ends cannot be known.
 */
export function redactUrl(url: string): string {
  const start = url.indexOf('//');
  if (start < 0) return url;
  const lastAt = url.lastIndexOf('@');
  if (lastAt < start) return url;
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return `${url.slice(0, start + 2)}${MASK}${url.slice(lastAt)}`;
  }
  if (password === '') return url;
  // A parsed URL's user info ends at the last `@` of its authority, which ends at the first / ? or #.
  const end = url.slice(start + 2).search(/[/?#]/);
  const authorityEnd = end < 0 ? url.length : start + 2 + end;
  const infoEnd = url.lastIndexOf('@', authorityEnd);
  const colon = url.indexOf(':', start + 2);
  return `${url.slice(0, colon + 1)}${MASK}${url.slice(infoEnd)}`;
}

// scheme://… up to whitespace, a quote or an angle bracket: a URL inside a sentence or a JSON string.
const URL_IN_TEXT = /[a-z][a-z\d+.-]*:\/\/[^\s"'<>]*/gi;

/** Every URL in a free text (an error message, a serialised log line) with its password masked. */
export function redactUrls(text: string): string {
  return text.includes('//') ? text.replace(URL_IN_TEXT, redactUrl) : text;
}
