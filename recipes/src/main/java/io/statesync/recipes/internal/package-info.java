/**
 * Storage helpers shared by several recipes of this module (the record format with a writer id and
 * sequence that lets a writer recognise its own write after a connection loss; numeric child names).
 * Not part of statesync's API: nothing here is stable, and applications must not use it.
 */
@NullMarked
package io.statesync.recipes.internal;

import org.jspecify.annotations.NullMarked;
