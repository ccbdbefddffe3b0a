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
package io.statesync.core.contract;

import io.statesync.core.Listenable;
import io.statesync.core.Recipe;

/**
 * The {@link ListenerContract} under the name the recipes' contract tests extend.
 *
 * @param <T> the listener value type
 * @param <R> the recipe type
 */
public abstract class RecipeContract<T, R extends Recipe & Listenable<T>> extends ListenerContract<T, R> {}
