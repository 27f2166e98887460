package lossservice.inference.grpc;

import io.grpc.Status;

/**
 * A scan of a {@code ModelInferRequest}'s wire bytes before they are parsed, against messages that would take far
 * more memory parsed than their size. protobuf makes an object for every field it reads (every input, parameter,
 * unknown field), so 20 MB of empty {@code inputs} entries (two bytes each) became 10 million objects and ran the
 * heap out; packed varints of typed contents take up to eight times their bytes. The scan follows the request's schema
 * (inputs, outputs, parameters, typed contents) and counts, without building anything:
 *
 * <ul>
 * <li>fields, at every level, unknown ones included: at most {@value #MAX_FIELDS};</li>
 * <li>numbers of the typed contents (kept as primitive arrays): at most the service's element limit;</li>
 * <li>numbers of the shapes: at most {@value #MAX_FIELDS}.</li>
 * </ul>
 *
 * Groups (a wire type of protobuf 2 that no field of the protocol uses) are refused. Bytes that are not well-formed
 * are left to the parser, which reports them.
 */
final class InferRequestBounds {

    /** Fields of all kinds a request may have: a few inputs, outputs and parameters use some dozens. */
    static final int MAX_FIELDS = 65_536;

    private static final int REQUEST = 0;
    private static final int INPUT = 1;
    private static final int OUTPUT = 2;
    private static final int CONTENTS = 3;
    private static final int MAP_ENTRY = 4;
    private static final int PARAMETER = 5;
    private static final int NONE = -1;

    private final long maxElements;
    private int fields;
    /** Numbers of the typed contents. */
    private long elements;
    /** Numbers of the shapes. */
    private long dimensions;
    private Status refusal;
    /** Where the scan is in the message. */
    private int at;

    private InferRequestBounds(long maxElements) {
        this.maxElements = maxElements;
    }

    /** The status that refuses the message, or null when it is within bounds (or is left to the parser). */
    static Status check(byte[] bytes, int length, long maxElements) {
        InferRequestBounds scan = new InferRequestBounds(maxElements);
        scan.scan(REQUEST, bytes, length);
        return scan.refusal;
    }

    /** The message type of a length-delimited field of a message of type {@code type}, or NONE for bytes. */
    private static int child(int type, int field) {
        return switch (type) {
            case REQUEST -> field == 4 ? MAP_ENTRY : field == 5 ? INPUT : field == 6 ? OUTPUT : NONE;
            case INPUT -> field == 4 ? MAP_ENTRY : field == 5 ? CONTENTS : NONE;
            case OUTPUT -> field == 2 ? MAP_ENTRY : NONE;
            case MAP_ENTRY -> field == 2 ? PARAMETER : NONE;
            default -> NONE;
        };
    }

    /** Whether the field holds numbers kept as a primitive array: typed contents 1 to 7, and a shape. */
    private static boolean numbers(int type, int field) {
        return type == CONTENTS && field >= 1 && field <= 7 || type == INPUT && field == 3;
    }

    /** Scans from the cursor to {@code to} as a message of type {@code type}; false once refused or not well-formed. */
    private boolean scan(int type, byte[] bytes, int to) {
        while (at < to) {
            long tag = varint(bytes, to);
            if (tag < 0) {
                return false; // not well-formed: the parser says so
            }
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            boolean number = numbers(type, field);
            switch (wireType) {
                case 0, 1, 5 -> {
                    if (wireType == 0) {
                        // Skipped, not read: -1 is a value here (an int64 of ten bytes), not a sign of bad bytes.
                        while (at < to && bytes[at] < 0) {
                            at++;
                        }
                        at++;
                    } else {
                        at += wireType == 1 ? 8 : 4;
                    }
                    if (!count(number ? 0 : 1, number ? 1 : 0, type == CONTENTS)) {
                        return false;
                    }
                }
                case 2 -> {
                    long length = varint(bytes, to);
                    if (length < 0 || length > to - at) {
                        return false;
                    }
                    int end = at + (int) length;
                    if (number) {
                        long packed = type == CONTENTS && field == 6 ? length / 4
                                : type == CONTENTS && field == 7 ? length / 8 : varints(bytes, at, end);
                        if (!count(1, packed, type == CONTENTS)) {
                            return false;
                        }
                    } else {
                        if (!count(1, 0, false)) {
                            return false;
                        }
                        int child = child(type, field);
                        if (child != NONE && !scan(child, bytes, end)) {
                            return false;
                        }
                    }
                    at = end;
                }
                default -> {
                    refusal = Status.INVALID_ARGUMENT.withDescription("The ModelInferRequest message has a field"
                            + " of wire type " + wireType + " (a group), which no field of the protocol has.");
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The varint at the cursor (a tag or a length), which moves past it; -1 when it is cut short by {@code to} or
     * longer than 64 bits (no tag or length of a well-formed message is negative).
     */
    private long varint(byte[] bytes, int to) {
        long value = 0;
        for (int shift = 0; shift <= 63; shift += 7) {
            if (at >= to) {
                return -1;
            }
            byte b = bytes[at++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        return -1;
    }

    private static long varints(byte[] bytes, int from, int to) {
        long count = 0;
        for (int i = from; i < to; i++) {
            if (bytes[i] >= 0) {
                count++;
            }
        }
        return count;
    }

    /** Counts fields and numbers, the numbers as typed contents or as dimensions of shapes. */
    private boolean count(int moreFields, long moreNumbers, boolean contents) {
        fields += moreFields;
        if (contents) {
            elements += moreNumbers;
        } else {
            dimensions += moreNumbers;
        }
        if (fields > MAX_FIELDS) {
            refusal = Status.RESOURCE_EXHAUSTED.withDescription("The ModelInferRequest message has more than "
                    + MAX_FIELDS + " fields (inputs, outputs, parameters, unknown fields, at every level).");
            return false;
        }
        if (elements > maxElements) {
            refusal = Status.RESOURCE_EXHAUSTED.withDescription("The typed contents of the request hold more than "
                    + maxElements + " numbers, more than this service accepts in one request.");
            return false;
        }
        if (dimensions > MAX_FIELDS) {
            refusal = Status.RESOURCE_EXHAUSTED.withDescription("The shapes of the request hold more than "
                    + MAX_FIELDS + " numbers.");
            return false;
        }
        return true;
    }
}
