package io.jvirt.manager.xml;

import io.jvirt.manager.VirtException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.SAXParserFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Parses XML with the JDK's DOM parser (DTDs and external entities refused: the XML comes from
 * users and API clients) and writes it back the way libvirt formats its documents: two-space
 * indent, attributes in single quotes, text-only elements on one line.
 */
public final class XmlText {

    private XmlText() {
    }

    /** Element user-data key holding attribute names in document order (DOM maps forget it). */
    static final String ORDER = "jvirt.attrOrder";

    /** Parses a document; a syntax error becomes libvirt's "(source):LINE: message". */
    public static Document parse(String xml, String source) throws VirtException {
        try {
            SAXParserFactory f = SAXParserFactory.newInstance();
            f.setNamespaceAware(false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
            f.newSAXParser().parse(new InputSource(new StringReader(xml)), new DomBuilder(d));
            stripWhitespace(d.getDocumentElement());
            return d;
        } catch (SAXParseException e) {
            throw new VirtException(VirtException.Code.XML,
                    "(" + source + "):" + e.getLineNumber() + ": " + e.getMessage());
        } catch (org.xml.sax.SAXException | IOException | ParserConfigurationException e) {
            throw new VirtException(VirtException.Code.XML, "(" + source + "): " + e.getMessage());
        }
    }

    /** Builds a DOM from SAX events, remembering each element's attribute order. */
    private static final class DomBuilder extends DefaultHandler {
        private final Document doc;
        private Node current;

        DomBuilder(Document doc) {
            this.doc = doc;
            this.current = doc;
        }

        @Override
        public void startElement(String uri, String local, String qName, Attributes atts) {
            Element e = doc.createElement(qName);
            for (int i = 0; i < atts.getLength(); i++) {
                setAttr(e, atts.getQName(i), atts.getValue(i));
            }
            current.appendChild(e);
            current = e;
        }

        @Override
        public void endElement(String uri, String local, String qName) {
            current = current.getParentNode();
        }

        @Override
        public void characters(char[] ch, int start, int length) {
            if (current != doc) {
                current.appendChild(doc.createTextNode(new String(ch, start, length)));
            }
        }
    }

    /** Sets an attribute and keeps it in the element's written order (new names go last). */
    @SuppressWarnings("unchecked")
    public static void setAttr(Element e, String name, String value) {
        List<String> order = (List<String>) e.getUserData(ORDER);
        if (order == null) {
            order = new ArrayList<>();
            e.setUserData(ORDER, order, null);
        }
        if (!order.contains(name)) {
            order.add(name);
        }
        e.setAttribute(name, value);
    }

    /** Removes an attribute and its remembered position, so {@link #setAttr} appends it anew. */
    @SuppressWarnings("unchecked")
    public static void removeAttr(Element e, String name) {
        List<String> order = (List<String>) e.getUserData(ORDER);
        if (order != null) {
            order.remove(name);
        }
        e.removeAttribute(name);
    }

    /** The attribute names in document order. */
    static List<String> attributeNames(Element e) {
        return attributeOrder(e);
    }

    @SuppressWarnings("unchecked")
    private static List<String> attributeOrder(Element e) {
        List<String> out = new ArrayList<>();
        List<String> order = (List<String>) e.getUserData(ORDER);
        if (order != null) {
            for (String n : order) {
                if (e.hasAttribute(n)) {
                    out.add(n);
                }
            }
        }
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            String n = ((Attr) attrs.item(i)).getName();
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** Removes whitespace-only text between elements; the writer re-indents. */
    private static void stripWhitespace(Element e) {
        List<Node> drop = new ArrayList<>();
        boolean hasElement = false;
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE) {
                hasElement = true;
                stripWhitespace((Element) n);
            }
        }
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.TEXT_NODE && n.getNodeValue().isBlank() && hasElement) {
                drop.add(n);
            }
        }
        drop.forEach(e::removeChild);
    }

    /** A deep copy that keeps attribute order (DOM's cloneNode does not carry user data reliably). */
    @SuppressWarnings("unchecked")
    public static Document copy(Document src) {
        try {
            Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
            d.appendChild(copy(d, src.getDocumentElement()));
            return d;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's DOM implementation is missing", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Node copy(Document d, Node n) {
        if (n instanceof Element e) {
            Element c = d.createElement(e.getTagName());
            for (String a : attributeOrder(e)) {
                setAttr(c, a, e.getAttribute(a));
            }
            for (Node k = e.getFirstChild(); k != null; k = k.getNextSibling()) {
                Node kc = copy(d, k);
                if (kc != null) {
                    c.appendChild(kc);
                }
            }
            return c;
        }
        if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
            return d.createTextNode(n.getNodeValue());
        }
        return null;
    }

    /** Formats one element (and its subtree) at the given indent, libvirt style. */
    public static String format(Element e) {
        StringBuilder sb = new StringBuilder();
        write(sb, e, 0, '\'');
        return sb.toString();
    }

    static void write(StringBuilder sb, Element e, int depth, char quote) {
        indent(sb, depth);
        sb.append('<').append(e.getTagName());
        for (String n : attributeOrder(e)) {
            sb.append(' ').append(n).append('=').append(quote)
                    .append(escape(e.getAttribute(n), true)).append(quote);
        }
        // libxml2 (used by libvirt for <metadata> content) writes double quotes.
        char childQuote = e.getTagName().equals("metadata") ? '"' : quote;
        List<Node> kids = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE || n.getNodeType() == Node.TEXT_NODE
                    || n.getNodeType() == Node.CDATA_SECTION_NODE) {
                kids.add(n);
            }
        }
        if (kids.isEmpty() && e.getTagName().equals("devices")
                && e.getParentNode() instanceof Element p && p.getTagName().equals("domain")) {
            // libvirt always writes the <devices> container, even empty.
            sb.append(">\n");
            indent(sb, depth);
            sb.append("</devices>\n");
            return;
        }
        if (kids.isEmpty()) {
            sb.append("/>\n");
            return;
        }
        boolean textOnly = kids.stream().noneMatch(n -> n.getNodeType() == Node.ELEMENT_NODE);
        if (textOnly) {
            sb.append('>').append(escape(e.getTextContent(), false))
                    .append("</").append(e.getTagName()).append(">\n");
            return;
        }
        sb.append(">\n");
        for (Node n : kids) {
            if (n.getNodeType() == Node.ELEMENT_NODE) {
                write(sb, (Element) n, depth + 1, childQuote);
            } else if (!n.getNodeValue().isBlank()) {
                indent(sb, depth + 1);
                sb.append(escape(n.getNodeValue().strip(), false)).append('\n');
            }
        }
        indent(sb, depth);
        sb.append("</").append(e.getTagName()).append(">\n");
    }

    private static void indent(StringBuilder sb, int depth) {
        sb.append("  ".repeat(depth));
    }

    public static String escape(String s, boolean attribute) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '\'' -> sb.append(attribute ? "&apos;" : "'");
                case '"' -> sb.append(attribute ? "&quot;" : "\"");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The first child element named {@code name}, or null. */
    public static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** All child elements named {@code name} (all children when name is null). */
    public static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && (name == null || c.getTagName().equals(name))) {
                out.add(c);
            }
        }
        return out;
    }

    /** Text of the child element, trimmed, or null when absent. */
    public static String childText(Element parent, String name) {
        Element c = child(parent, name);
        return c == null ? null : c.getTextContent().strip();
    }

    /** An attribute's value, or null when absent (DOM returns "" for absent). */
    public static String attr(Element e, String name) {
        return e != null && e.hasAttribute(name) ? e.getAttribute(name) : null;
    }

    /** Returns the child named {@code name}, creating it (appended) when absent. */
    public static Element ensureChild(Element parent, String name) {
        Element c = child(parent, name);
        if (c == null) {
            c = parent.getOwnerDocument().createElement(name);
            parent.appendChild(c);
        }
        return c;
    }

    /** Sets the text of child {@code name}, creating it when absent. */
    public static Element setChildText(Element parent, String name, String text) {
        Element c = ensureChild(parent, name);
        c.setTextContent(text);
        return c;
    }
}
