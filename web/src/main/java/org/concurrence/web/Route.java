package org.concurrence.web;

import org.concurrence.http.Handler;
import org.concurrence.http.Method;

/**
 * One registered route: a method (null for any method), the full template, its parameter names in order, and the
 * handler with its group and route filters already applied. Immutable (the names array is never changed).
 */
record Route(Method method, PathTemplate template, String[] paramNames, Handler handler) {
    Route(Method method, PathTemplate template, Handler handler) {
        this(method, template, template.paramNames(), handler);
    }

    String describe() {
        return (method == null ? "*" : method.name()) + " " + template.text();
    }
}
