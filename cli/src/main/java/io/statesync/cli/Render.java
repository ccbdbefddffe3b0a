/*
 * Copyright 2026 The statesync developers
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package io.statesync.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Prints a view: as indented {@code key: value} text, or as JSON. */
final class Render {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Render() {}

    /** One JSON document on one line. */
    static String jsonLine(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new CliException(CliException.FAILED, "cannot write JSON: " + e.getOriginalMessage());
        }
    }

    static String jsonPretty(Object value) {
        try {
            return PRETTY.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new CliException(CliException.FAILED, "cannot write JSON: " + e.getOriginalMessage());
        }
    }

    /** A view as text: its kind and path, then every field but the summary, nested lists indented. */
    static void text(PrintWriter out, Map<String, Object> view) {
        out.println(view.get("kind") + " " + view.get("path") + ": " + Inspector.summary(view));
        for (Map.Entry<String, Object> e : view.entrySet()) {
            String k = e.getKey();
            if (k.equals("kind") || k.equals("path") || k.equals("summary")) {
                continue;
            }
            field(out, "  ", k, e.getValue());
        }
        out.flush();
    }

    private static void field(PrintWriter out, String indent, String key, Object value) {
        if (value instanceof List<?> list) {
            out.println(indent + key + ":" + (list.isEmpty() ? " (none)" : ""));
            for (Object item : list) {
                if (item instanceof Map<?, ?> m) {
                    boolean first = true;
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        String prefix = indent + (first ? "  - " : "    ");
                        out.println(prefix + e.getKey() + ": " + scalar(e.getValue()));
                        first = false;
                    }
                } else {
                    out.println(indent + "  - " + scalar(item));
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            out.println(indent + key + ":");
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.println(indent + "  " + e.getKey() + ": " + scalar(e.getValue()));
            }
        } else {
            out.println(indent + key + ": " + scalar(value));
        }
    }

    private static String scalar(@Nullable Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof String s) {
            String oneLine = s.replace("\n", "\\n");
            return oneLine.length() > 200 ? oneLine.substring(0, 200) + "... (" + s.length() + " chars)" : oneLine;
        }
        return value.toString();
    }
}
