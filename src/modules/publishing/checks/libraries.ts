/**
 * The libraries the checks use, loaded on first use rather than at start-up (ADR 0010): the
 * phone-number metadata (`libphonenumber-js/max`, ~14 MB and ~0.1 s), the AFINN-165 word list
 * (`sentiment`) and the postcode pattern (`postcode`). `loadCheckLibraries()` is awaited once
 * before the checks run (one promise, so the cost is paid by the first check run only); the
 * checks themselves stay synchronous. A check run before the libraries are loaded throws, and
 * the runner fails it closed.
 */
import type * as Phone from 'libphonenumber-js/max';
import type * as Postcode from 'postcode';
import type SentimentClass from 'sentiment';

export interface CheckLibraries {
  findPhoneNumbersInText: typeof Phone.findPhoneNumbersInText;
  matchPostcodes: typeof Postcode.match;
  toNormalisedPostcode: typeof Postcode.toNormalised;
  sentiment: SentimentClass;
}

let loaded: CheckLibraries | undefined;
let loading: Promise<CheckLibraries> | undefined;

/** Loads the checks' libraries (once; later calls return at once). */
export function loadCheckLibraries(): Promise<CheckLibraries> {
  if (loaded !== undefined) return Promise.resolve(loaded);
  loading ??= Promise.all([
    import('libphonenumber-js/max'),
    import('postcode'),
    import('sentiment'),
  ]).then(
    ([phone, postcode, sentiment]) => {
      loaded = {
        findPhoneNumbersInText: phone.findPhoneNumbersInText,
        matchPostcodes: postcode.match,
        toNormalisedPostcode: postcode.toNormalised,
        sentiment: new sentiment.default(),
      };
      return loaded;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** The loaded libraries; throws (the check then fails closed) if they were not loaded first. */
export function checkLibraries(): CheckLibraries {
  if (loaded === undefined) {
    throw new Error('The check libraries are not loaded: await loadCheckLibraries() first');
  }
  return loaded;
}
