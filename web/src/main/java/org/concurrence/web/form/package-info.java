/**
 * HTML form bodies: {@link org.concurrence.web.form.Form} for {@code application/x-www-form-urlencoded},
 * {@link org.concurrence.web.form.Multipart} for {@code multipart/form-data} (RFC 7578), read as a stream of
 * {@link org.concurrence.web.form.Part}s so that a large upload passes with flat memory.
 */
package org.concurrence.web.form;
