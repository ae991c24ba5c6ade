package io.vhdstream.connector.source;

import org.apache.kafka.connect.connector.Task;

/** The source connector with tasks that can be crashed by an armed {@link KillSwitch}; for in-process worker tests. */
public class CrashingSourceConnector extends VhdSourceConnector {
    @Override
    public Class<? extends Task> taskClass() {
        return CrashingSourceTask.class;
    }
}
