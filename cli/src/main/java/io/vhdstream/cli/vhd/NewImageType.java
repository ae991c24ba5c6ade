package io.vhdstream.cli.vhd;

import io.vhdstream.vhd.footer.DiskType;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Locale;

/** The {@code --type} of images the CLI makes from scratch (differencing ones come from snapshot/import --parent). */
public enum NewImageType {
    FIXED(DiskType.FIXED), DYNAMIC(DiskType.DYNAMIC);

    private final DiskType diskType;

    NewImageType(DiskType diskType) {
        this.diskType = diskType;
    }

    public DiskType diskType() {
        return diskType;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Accepts "fixed" and "dynamic" in any case, and says so when given anything else. */
    public static final class Converter implements ITypeConverter<NewImageType> {
        @Override
        public NewImageType convert(String value) {
            for (NewImageType t : values()) {
                if (t.name().equalsIgnoreCase(value.trim())) {
                    return t;
                }
            }
            throw new TypeConversionException("'" + value + "' is not an image type: use fixed or dynamic");
        }
    }
}
