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
package io.statesync.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a {@code @Scheduled} method (fixed rate, fixed delay or cron) only on the node that leads the
 * election of this name, a statesync {@link io.statesync.recipes.leader.LeaderElection} at {@code
 * <statesync.leader-only.base-path>/<name>} (by default {@code /leader-only/<name>}) under the
 * coordinator's namespace. Every method with the same name shares one election.
 *
 * <pre>{@code
 * @Scheduled(cron = "0 0 * * * *")
 * @LeaderOnly("billing")
 * void bill(Leadership leadership) {
 *     invoices.closeHour(leadership.epoch()); // the epoch fences every write
 * }
 * }</pre>
 *
 * <p>On every trigger the method runs if, and only if, the application is ready ({@code
 * ApplicationReadyEvent}: nodes join the election only then, so nothing runs while the context is
 * still starting) and this node leads; otherwise the trigger is skipped. It may take no parameter,
 * or one {@link io.statesync.recipes.leader.Leadership}: the leadership it runs under, whose {@code
 * epoch()} is its fencing token.
 *
 * <p>It stops the way the election's singleton task stops: when leadership ends (a connection loss
 * under the coordinator's policy, the session lost, the context closing), a running invocation is
 * interrupted, and the node hands over (deleting its election znode) only once the invocation has
 * returned, so a successor's run never overlaps it. Behind a silent partition the leader gives up
 * on SUSPENDED (after {@code statesync.leader-only.suspend-grace}, 0 by default), and a successor
 * that saw it vanish without a hand-over waits {@code statesync.leader-only.takeover-delay} first.
 * Leadership changes are published as {@link LeadershipChangedEvent}s.
 *
 * <p>Needs {@code @EnableScheduling} and a {@link org.springframework.boot.SpringApplication} (for
 * the ready event). Reactive and Kotlin suspending {@code @Scheduled} methods are not supported.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface LeaderOnly {
    /**
     * The election's name: one path segment (not empty, no {@code /}; ZooKeeper's path rules
     * apply), checked at startup.
     *
     * @return the name
     */
    String value();
}
