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

import io.statesync.core.Codec;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The demo's event-sourced ledger: transfers between accounts, folded into balances. */
final class Ledger {
    private Ledger() {}

    private static final Pattern WORDS = Pattern.compile("\\s+");

    /** One event of the ledger. */
    record Transfer(String from, String to, long amount) {
        Transfer {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (amount <= 0) {
                throw new IllegalArgumentException("amount must be positive, was " + amount);
            }
            if (from.isBlank() || to.isBlank() || from.contains(" ") || to.contains(" ")) {
                throw new IllegalArgumentException(
                        "account names are one word each, were '" + from + "' and '" + to + "'");
            }
        }

        /**
         * Reads {@code "alice bob 10"}.
         *
         * @throws IllegalArgumentException if the text is not {@code FROM TO AMOUNT}
         */
        static Transfer parse(String text) {
            String[] parts = WORDS.split(text.trim(), -1);
            if (parts.length != 3) {
                throw new IllegalArgumentException(
                        "write a transfer as FROM TO AMOUNT, e.g. 'alice bob 10', not '" + text.trim() + "'");
            }
            try {
                return new Transfer(parts[0], parts[1], Long.parseLong(parts[2]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("amount must be a whole number, was '" + parts[2] + "'", e);
            }
        }

        @Override
        public String toString() {
            return from + " -> " + to + " " + amount;
        }
    }

    /** Balances per account: immutable; {@link #apply} returns a new one (a pure reducer). */
    static final class Balances {
        private final Map<String, Long> accounts;

        private Balances(Map<String, Long> accounts) {
            this.accounts = Collections.unmodifiableMap(new TreeMap<>(accounts));
        }

        /** Every account of the demo starts with 100. */
        static Balances opening() {
            return new Balances(Map.of("alice", 100L, "bob", 100L, "carol", 100L));
        }

        Balances apply(Transfer t) {
            Map<String, Long> next = new TreeMap<>(accounts);
            next.merge(t.from(), -t.amount(), Long::sum);
            next.merge(t.to(), t.amount(), Long::sum);
            return new Balances(next);
        }

        long total() {
            return accounts.values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Balances b && b.accounts.equals(accounts);
        }

        @Override
        public int hashCode() {
            return accounts.hashCode();
        }

        @Override
        public String toString() {
            return accounts.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ", "{", "}"));
        }
    }

    /** A transfer as UTF-8 text {@code "from to amount"}: readable with zkCli. */
    static final Codec<Transfer> CODEC = new Codec<>() {
        @Override
        public byte[] encode(Transfer t) {
            return (t.from() + " " + t.to() + " " + t.amount()).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Transfer decode(byte[] data) {
            return Transfer.parse(new String(data, StandardCharsets.UTF_8));
        }
    };
}
