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
 * Storage helpers shared by several recipes of this module (the record format with a writer id and
 * sequence that lets a writer recognise its own write after a connection loss; numeric child names;
 * the one guaranteed delete of locks, leader election and membership; guarded writes with a
 * deadline).
 * Not part of statesync's API: nothing here is stable, and applications must not use it.
 */
@NullMarked
package io.statesync.recipes.internal;

import org.jspecify.annotations.NullMarked;
