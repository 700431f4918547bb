#include "common/labelaccessible.h"

#include <QApplication>
#include <QLabel>
#include <QRegularExpression>
#include <QTextDocument>

namespace countersign::ui {

namespace {

/// A mnemonic's '&' is not read out; "&&" is a literal ampersand.
QString withoutMnemonic(const QString& text)
{
    QString plain;
    plain.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (text.at(i) == u'&') {
            if (i + 1 < text.size() && text.at(i + 1) == u'&')
                ++i;
            else
                continue;
        }
        plain.append(text.at(i));
    }
    return plain;
}

/// True when one text holds the other, spacing aside.
bool sameWords(const QString& a, const QString& b)
{
    static const QRegularExpression space(QStringLiteral("\\s+"));
    const QString left = QString(a).remove(space);
    const QString right = QString(b).remove(space);
    return left.contains(right) || right.contains(left);
}

QAccessibleInterface* labelFactory(const QString& className, QObject* object)
{
    // Qt asks for the most derived class first and walks up; a QLabel subclass with no
    // interface of its own ends here too.
    if (className == u"QLabel") {
        if (auto* label = qobject_cast<QLabel*>(object))
            return new LabelAccessible(label);
    }
    return nullptr;
}

} // namespace

LabelAccessible::LabelAccessible(QLabel* label)
    : QAccessibleWidget(label, QAccessible::StaticText)
{
}

QLabel* LabelAccessible::label() const
{
    return static_cast<QLabel*>(widget());
}

QString LabelAccessible::shownText(const QLabel* label)
{
    QString text = label->text();
    const bool rich =
        label->textFormat() == Qt::RichText || (label->textFormat() == Qt::AutoText && Qt::mightBeRichText(text));
    if (rich) {
        QTextDocument document;
        document.setHtml(text);
        text = document.toPlainText();
    } else if (label->buddy()) {
        text = withoutMnemonic(text);
    }
    return text.trimmed();
}

QAccessible::Role LabelAccessible::role() const
{
    if (label()->text().isEmpty() && !label()->pixmap().isNull())
        return QAccessible::Graphic;
    return QAccessible::StaticText;
}

QString LabelAccessible::text(QAccessible::Text t) const
{
    const QString name = label()->accessibleName();
    switch (t) {
    case QAccessible::Name:
        return name.isEmpty() ? shownText(label()) : name;
    case QAccessible::Value:
        // Only a label whose name is fixed has a value apart from its name.
        return name.isEmpty() ? QString() : shownText(label());
    case QAccessible::Description: {
        const QString shown = name.isEmpty() || shownText(label()) == name ? QString() : shownText(label());
        const QString description = label()->accessibleDescription();
        if (description.isEmpty())
            return shown.isEmpty() ? label()->toolTip() : shown;
        // A description that only qualifies the text ("Error") comes before it; one that
        // words the same text for the ear (a digest without its grouping) replaces it.
        if (shown.isEmpty() || sameWords(description, shown))
            return description;
        return description + QStringLiteral(": ") + shown;
    }
    default:
        break;
    }
    return QAccessibleWidget::text(t);
}

QList<QPair<QAccessibleInterface*, QAccessible::Relation>> LabelAccessible::relations(QAccessible::Relation match) const
{
    auto related = QAccessibleWidget::relations(match);
    if ((match & QAccessible::Labelled) && label()->buddy()) {
        if (QAccessibleInterface* buddy = QAccessible::queryAccessibleInterface(label()->buddy()))
            related.append({buddy, QAccessible::Labelled});
    }
    return related;
}

void installLabelAccessibility()
{
    QAccessible::installFactory(labelFactory);
    // Qt keeps the first interface made for an object. A label asked for before this call (a
    // widget built ahead of the window that installs this) holds Qt's own, which hides its text
    // behind a fixed name: drop it, so that the next query makes one here.
    const QWidgetList widgets = QApplication::allWidgets();
    for (QWidget* widget : widgets) {
        if (!qobject_cast<QLabel*>(widget))
            continue;
        QAccessibleInterface* iface = QAccessible::queryAccessibleInterface(widget);
        if (iface && !dynamic_cast<LabelAccessible*>(iface))
            QAccessible::deleteAccessibleInterface(QAccessible::uniqueId(iface));
    }
}

} // namespace countersign::ui
