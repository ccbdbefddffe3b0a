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
/**
 * Spring Boot auto-configuration for statesync. Add {@code statesync-spring-boot-starter}, set
 * {@code statesync.connect-string}, and the application gets a started {@link
 * io.statesync.core.Coordinator} bean closed after every bean that uses it, a {@code statesync}
 * health indicator in the readiness group, the coordinator's Micrometer meters, and {@link
 * io.statesync.spring.boot.LeaderOnly @LeaderOnly} for {@code @Scheduled} methods that must run on
 * one node only, and {@link io.statesync.spring.boot.JsonCodecs} on the application's JSON mapper.
 * Start with {@link io.statesync.spring.boot.StateSyncAutoConfiguration}; the
 * properties are {@link io.statesync.spring.boot.StateSyncProperties}, and {@code
 * docs/spring-boot.md} describes it all.
 */
@NullMarked
package io.statesync.spring.boot;

import org.jspecify.annotations.NullMarked;
