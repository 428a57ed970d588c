package io.mp4j;

import io.mp4j.protocol.BrokerChannel;
import io.mp4j.protocol.Reply;
import io.mp4j.protocol.Slice;
import io.mp4j.protocol.codec.Codec;
import io.mp4j.protocol.codec.SharedHandle;
import io.mp4j.protocol.codec.ValueReader;
import java.lang.reflect.Type;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.ListIterator;
import java.util.RandomAccess;

/**
 * A list served by the broker and shared by every process that has it: Python's
 * {@code Manager().list()}, as a {@link List}.
 *
 * <p>Each call ({@code get}, {@code set}, {@code add}, {@code remove}, {@code addAll} of a whole
 * collection...) is one atomic step in the broker. Iteration and {@code toArray} work on a
 * snapshot taken in one step, so an iterator cannot remove; items are copies, compared by their
 * encoded form.
 *
 * @param <E> the item type
 */
public final class SharedList<E> extends AbstractList<E> implements RandomAccess, SharedHandle {
  static final String KIND = "list";

  private final SharedObject object;
  private final Type itemType;
  private final ValueReader reader;

  SharedList(BrokerChannel channel, String name, Type itemType) {
    this.object = new SharedObject(channel, name, KIND, new byte[] {(byte) 0x90});
    this.itemType = itemType;
    this.reader = Codec.reader(itemType);
  }

  /**
   * This list's name in the broker.
   *
   * @return the name
   */
  public String name() {
    return object.name();
  }

  /** Removes the list from the broker; later calls through any proxy to it fail. */
  public void delete() {
    object.delete();
  }

  @Override
  public Ref ref() {
    return object.ref();
  }

  private E item(Slice encoded) {
    @SuppressWarnings("unchecked")
    E item = (E) object.decode(encoded, reader, itemType);
    return item;
  }

  @Override
  public E get(int index) {
    return item(object.call("list.get", packer -> {
      packer.packArrayHeader(1);
      packer.packInt(index);
    }).payload());
  }

  @Override
  public E set(int index, E item) {
    return item(object.call("list.set", packer -> {
      packer.packArrayHeader(2);
      packer.packInt(index);
      SharedObject.writeValue(packer, item);
    }).payload());
  }

  @Override
  public boolean add(E item) {
    object.call("list.add", packer -> {
      packer.packArrayHeader(1);
      SharedObject.writeValue(packer, item);
    });
    return true;
  }

  @Override
  public void add(int index, E item) {
    object.call("list.insert", packer -> {
      packer.packArrayHeader(2);
      packer.packInt(index);
      SharedObject.writeValue(packer, item);
    });
  }

  /** Appends every item in one step. */
  @Override
  public boolean addAll(Collection<? extends E> items) {
    byte[] encoded = SharedObject.encodeAll(items);
    object.call("list.addAll", packer -> {
      packer.packArrayHeader(1);
      packer.packBinaryHeader(encoded.length);
      packer.writePayload(encoded);
    });
    return !items.isEmpty();
  }

  @Override
  public E remove(int index) {
    return item(object.call("list.removeAt", packer -> {
      packer.packArrayHeader(1);
      packer.packInt(index);
    }).payload());
  }

  @Override
  public boolean remove(Object item) {
    return SharedObject.bool(object.call("list.remove", packer -> {
      packer.packArrayHeader(1);
      SharedObject.writeValue(packer, item);
    }));
  }

  @Override
  public int indexOf(Object item) {
    return SharedObject.integer(object.call("list.indexOf", packer -> {
      packer.packArrayHeader(1);
      SharedObject.writeValue(packer, item);
    }));
  }

  @Override
  public boolean contains(Object item) {
    return indexOf(item) >= 0;
  }

  @Override
  public int size() {
    return SharedObject.integer(object.call("list.size", packer -> packer.packArrayHeader(0)));
  }

  @Override
  public void clear() {
    object.call("list.clear", packer -> packer.packArrayHeader(0));
  }

  /**
   * A copy of the whole list, taken in one step.
   *
   * @return the items now
   */
  public List<E> snapshot() {
    Reply reply = object.call("list.all", packer -> packer.packArrayHeader(0));
    List<E> items = new ArrayList<>();
    for (Slice encoded : object.binaries(reply)) {
      items.add(item(encoded));
    }
    return items;
  }

  @Override
  public Iterator<E> iterator() {
    return Collections.unmodifiableList(snapshot()).iterator();
  }

  @Override
  public ListIterator<E> listIterator(int index) {
    return Collections.unmodifiableList(snapshot()).listIterator(index);
  }

  @Override
  public Object[] toArray() {
    return snapshot().toArray();
  }

  @Override
  public <T> T[] toArray(T[] target) {
    return snapshot().toArray(target);
  }
}
