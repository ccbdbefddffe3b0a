/** The statesync recipes, one package each. */
@NullMarked
package io.statesync.recipes;

import org.jspecify.annotations.NullMarked;
