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

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code statesync tree [PATH]}: the recipes under a path, one line each. Reads only. */
@Command(name = "tree", description = "Lists the recipes under PATH (default: the whole namespace), one line each.")
final class TreeCommand implements Callable<Integer> {
    /** The most znodes a walk visits before it stops and says so. */
    static final int MAX_VISITED = 20_000;

    @Mixin
    ReadOptions options;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", description = "Where to start (default: /).")
    String path = "/";

    @Spec
    CommandSpec spec;

    private int visited;
    private boolean cut;

    @Override
    public Integer call() throws InterruptedException {
        String p = ReadOptions.checkPath(path);
        List<Map<String, Object>> found = new ArrayList<>();
        try (Session s = Session.open(options.connection)) {
            Inspector inspector = new Inspector(s.znodes, options.format, options.max);
            walk(s.znodes, inspector, inspector.require(p), found);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("path", p);
            doc.put("recipes", found);
            doc.put("truncated", cut);
            out.println(Render.jsonPretty(doc));
        } else {
            int width = 0;
            for (Map<String, Object> r : found) {
                width = Math.max(width, String.valueOf(r.get("path")).length());
            }
            for (Map<String, Object> r : found) {
                out.printf("%-" + (width + 2) + "s%-18s%s%n", r.get("path"), r.get("kind"), r.get("summary"));
            }
            if (found.isEmpty()) {
                out.println("no recipes under " + p);
            }
            if (cut) {
                out.println("(stopped after " + MAX_VISITED + " znodes)");
            }
        }
        out.flush();
        return 0;
    }

    private void walk(Znodes zn, Inspector inspector, Znodes.Node node, List<Map<String, Object>> found) {
        if (++visited > MAX_VISITED) {
            cut = true;
            return;
        }
        String p = node.path();
        if (p.equals("/.statesync") || p.equals("/zookeeper")) {
            return; // statesync's writer markers; ZooKeeper's own
        }
        Optional<Kind> kind = inspector.recognise(node);
        if (kind.isPresent()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("path", p);
            r.put("kind", kind.get().label);
            try {
                r.put("summary", Inspector.summary(inspector.view(node, kind.get())));
            } catch (CliException e) {
                r.put("summary", "unreadable: " + e.getMessage());
            }
            found.add(r);
            return;
        }
        for (String child : zn.children(p)) {
            Optional<Znodes.Node> c = zn.read(Znodes.child(p, child));
            if (c.isPresent()) {
                walk(zn, inspector, c.get(), found);
            }
            if (cut) {
                return;
            }
        }
    }
}
