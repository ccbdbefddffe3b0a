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
package io.statesync.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.statesync.core.Coordinator;
import io.statesync.micrometer.StateSyncMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A node's meters (statesync's Micrometer meters for its coordinator and every recipe it builds) in
 * Prometheus' text format at {@code http://127.0.0.1:PORT/metrics}, for a Prometheus server and the
 * Grafana dashboard in docs/grafana. Loopback only. Lives as long as the node's process.
 */
final class MetricsEndpoint {
    private MetricsEndpoint() {}

    /**
     * Binds the meters and serves them.
     *
     * @param coordinator the node's coordinator
     * @param port the port, 0 for any free one
     * @return the port it serves on
     * @throws IOException if the port cannot be bound
     */
    static int serve(Coordinator coordinator, int port) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new StateSyncMetrics(coordinator).bindTo(registry);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/metrics", exchange -> scrape(exchange, registry));
        ExecutorService handler = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "statesync-demo-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(handler);
        server.start();
        return server.getAddress().getPort();
    }

    private static void scrape(HttpExchange exchange, PrometheusMeterRegistry registry) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
