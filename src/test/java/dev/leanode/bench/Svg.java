package dev.leanode.bench;

import java.io.StringWriter;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * A small typed SVG writer over the JDK's XML DOM: elements and attributes by method, numbers
 * formatted one way, text and attribute values escaped by the serializer, never by hand.
 */
final class Svg {
  static final String NS = "http://www.w3.org/2000/svg";

  private final Document doc;
  private final Element root;

  Svg(double width, double height) {
    try {
      var f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(true);
      doc = f.newDocumentBuilder().newDocument();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException(e);
    }
    root = doc.createElementNS(NS, "svg");
    root.setAttribute("width", num(width));
    root.setAttribute("height", num(height));
    root.setAttribute("viewBox", "0 0 " + num(width) + " " + num(height));
    root.setAttribute("font-family", "DejaVu Sans, Verdana, sans-serif");
    doc.appendChild(root);
  }

  Element root() {
    return root;
  }

  /** A group under {@code parent}, with a class (and data attributes set by the caller). */
  Element group(Element parent, String cssClass) {
    Element g = el(parent, "g");
    g.setAttribute("class", cssClass);
    return g;
  }

  Element rect(Element parent, double x, double y, double w, double h, String fill) {
    Element r = el(parent, "rect");
    r.setAttribute("x", num(x));
    r.setAttribute("y", num(y));
    r.setAttribute("width", num(w));
    r.setAttribute("height", num(h));
    r.setAttribute("fill", fill);
    return r;
  }

  Element line(Element parent, double x1, double y1, double x2, double y2, String stroke) {
    Element l = el(parent, "line");
    l.setAttribute("x1", num(x1));
    l.setAttribute("y1", num(y1));
    l.setAttribute("x2", num(x2));
    l.setAttribute("y2", num(y2));
    l.setAttribute("stroke", stroke);
    return l;
  }

  /** Text at (x, y); {@code anchor} start, middle or end. */
  Element text(Element parent, double x, double y, String text, double size, String anchor) {
    Element t = el(parent, "text");
    t.setAttribute("x", num(x));
    t.setAttribute("y", num(y));
    t.setAttribute("font-size", num(size));
    t.setAttribute("text-anchor", anchor);
    t.setTextContent(text);
    return t;
  }

  /** A tooltip: the {@code <title>} child browsers show on hover. */
  void title(Element parent, String text) {
    el(parent, "title").setTextContent(text);
  }

  /**
   * The document as indented UTF-8 XML, one element per line, the same bytes for the same input.
   */
  String write() {
    try {
      var t = TransformerFactory.newInstance().newTransformer();
      t.setOutputProperty(OutputKeys.INDENT, "yes");
      t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      t.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
      StringWriter out = new StringWriter();
      t.transform(new DOMSource(doc), new StreamResult(out));
      return out.toString().replace("\r\n", "\n").strip() + "\n";
    } catch (TransformerException e) {
      throw new IllegalStateException(e);
    }
  }

  static String num(double v) {
    String s = String.format(Locale.ROOT, "%.2f", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  private Element el(Element parent, String name) {
    Element e = doc.createElementNS(NS, name);
    parent.appendChild(e);
    return e;
  }
}
