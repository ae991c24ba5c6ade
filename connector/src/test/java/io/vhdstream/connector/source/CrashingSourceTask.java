package io.vhdstream.connector.source;

import org.apache.kafka.connect.source.SourceRecord;

import java.util.List;
import java.util.Map;

/** A source task that lets an armed {@link KillSwitch} fail it after a poll, as a crash would. */
public class CrashingSourceTask extends VhdSourceTask {
    private String connectorName = "";

    @Override
    public void start(Map<String, String> props) {
        connectorName = props.getOrDefault("name", "");
        super.start(props);
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        List<SourceRecord> batch = super.poll();
        KillSwitch.afterPoll(connectorName, batch);
        return batch;
    }
}
