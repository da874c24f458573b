/** Written by the browser (its own zone) so server-rendered pages can show times in it. */
export const TIME_ZONE_COOKIE = "tz";
