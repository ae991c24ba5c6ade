package io.vhdstream.nbd.journal;

import io.vhdstream.nbd.server.NbdConfigException;
import io.vhdstream.schemas.Limits;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.produce.DiskCommands;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Opens a read-write disk for serving: its local state under the state directory, reconciled with the log
 * first; with a size, a disk the log does not have yet is created (CreateDisk, acknowledged) and reconciled.
 */
public final class DiskOpener {
    private DiskOpener() {
    }

    /** @param createSize the size to create the disk with if the log lacks it; -1: the disk must exist */
    public static JournaledDisk open(String diskId, long createSize, Path stateDir, CommandSender sender)
            throws IOException, NbdConfigException {
        String problem = LayerNames.diskIdProblem(diskId);
        if (problem != null) {
            throw new NbdConfigException("disk '" + diskId + "': " + problem);
        }
        if (createSize >= 0 && (createSize == 0 || !Limits.isSectorAligned(createSize) || createSize > Limits.MAX_VIRTUAL_SIZE)) {
            throw new NbdConfigException("--create " + diskId + "=" + createSize + ": the size must be a positive multiple of "
                    + Limits.SECTOR + " bytes, at most " + Limits.MAX_VIRTUAL_SIZE);
        }
        LocalImage image = LocalImage.open(stateDir.resolve(LayerNames.diskDir(diskId)));
        try {
            Reconciler.reconcile(diskId, image, sender.clientSettings(), sender.topic());
            if (image.deleted()) {
                throw new NbdConfigException("disk '" + diskId + "' was deleted in the log; disk ids are not reused");
            }
            if (!image.exists()) {
                if (createSize < 0) {
                    throw new NbdConfigException("disk '" + diskId + "' does not exist in " + sender.topic()
                            + "; create it with --create " + diskId + "=SIZE");
                }
                CompletableFuture<Void> done = new CompletableFuture<>();
                sender.send(DiskCommands.create(diskId, createSize, Limits.DEFAULT_BLOCK_SIZE),
                        (md, e) -> {
                            if (e != null) {
                                done.completeExceptionally(e);
                            } else {
                                done.complete(null);
                            }
                        });
                done.get(5, TimeUnit.MINUTES);
                Reconciler.reconcile(diskId, image, sender.clientSettings(), sender.topic());
                if (!image.exists()) {
                    throw new IOException("disk '" + diskId + "': the CreateDisk sent is not in the log");
                }
            }
            return new JournaledDisk(diskId, image, sender);
        } catch (ExecutionException e) {
            image.close();
            throw new IOException("disk '" + diskId + "': CreateDisk was not acknowledged: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            image.close();
            throw new IOException("disk '" + diskId + "': CreateDisk was not acknowledged in time", e);
        } catch (IOException | NbdConfigException | RuntimeException e) {
            image.close();
            throw e;
        }
    }
}
