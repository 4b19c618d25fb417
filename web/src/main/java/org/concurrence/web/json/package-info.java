/**
 * JSON in and out, through Jackson 3: {@link org.concurrence.web.json.Json} makes responses from objects and reads
 * request bodies into types with clear 400 and 415 errors; {@link org.concurrence.web.json.JsonFilter} turns every
 * error of the handlers inside it into a JSON error body.
 */
package org.concurrence.web.json;
