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
package io.statesync.recipes.eventlog;

import io.statesync.core.Codec;
import io.statesync.core.Coordinator;
import io.statesync.core.StateChange;
import io.statesync.core.contract.ListenerContract;

/** The shared recipe contract, run against an event-log subscription. */
class EventSubscriptionContractTest extends ListenerContract<LogEvent<String>, EventSubscription<String>> {

    @Override
    protected EventSubscription<String> newRecipe(Coordinator coordinator) {
        EventLog<String> log =
                EventLog.builder(coordinator, "/contract", Codec.utf8()).build();
        log.start();
        return log.subscription(0, UndecodablePolicy.STOP);
    }

    @Override
    protected void causeChange(Coordinator writer, int i) throws Exception {
        try (EventLog<String> log =
                EventLog.builder(writer, "/contract", Codec.utf8()).build()) {
            log.start();
            log.append("change-" + i);
        }
    }

    @Override
    protected boolean reflects(StateChange<LogEvent<String>> change, int i) {
        return change.current().get().value().event().equals("change-" + i);
    }
}
