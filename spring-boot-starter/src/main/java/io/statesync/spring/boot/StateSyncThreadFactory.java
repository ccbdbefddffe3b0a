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
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * Marks the {@link java.util.concurrent.ThreadFactory} bean the starter's coordinator makes its
 * threads with (core's {@code Coordinator.Builder.threadFactory}): Curator's and ZooKeeper's event
 * handling, the listener pool, recipes' loops, tasks and timers. statesync still names each thread
 * and marks it a daemon. Without such a bean, threads come from {@code Thread::new}. Other {@code
 * ThreadFactory} beans of the application are not used.
 *
 * <pre>{@code
 * @Bean
 * @StateSyncThreadFactory
 * ThreadFactory statesyncThreads() {
 *     return Thread.ofVirtual().factory(); // Java 21; or a factory that carries the MDC
 * }
 * }</pre>
 *
 * <p>A coordinator bean of the application's own is built by the application, and this qualifier
 * does not apply to it.
 */
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Qualifier
public @interface StateSyncThreadFactory {}
