<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>EvidenceReport</name>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="221"/>
        <source>Lapse evidence pack</source>
        <translation>Lapse-Nachweispaket</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="226"/>
        <source>Privileged access granted just in time on %1, %2 to %3 (UTC, end exclusive)</source>
        <translation>Privilegierter Just-in-time-Zugriff auf %1, %2 bis %3 (UTC, Ende ausgeschlossen)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="227"/>
        <source>all targets</source>
        <translation>alle Ziele</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="233"/>
        <location filename="../ui/EvidenceReport.cpp" line="483"/>
        <location filename="../ui/EvidenceReport.cpp" line="730"/>
        <source>No grants in this period.</source>
        <translation>Keine Zugriffe in diesem Zeitraum.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="252"/>
        <source>Scope</source>
        <translation>Umfang</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="253"/>
        <source>Period (UTC)</source>
        <translation>Zeitraum (UTC)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="253"/>
        <source>%1 to %2, end exclusive</source>
        <translation>%1 bis %2, Ende ausgeschlossen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="254"/>
        <source>Targets</source>
        <translation>Ziele</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="254"/>
        <location filename="../ui/EvidenceReport.cpp" line="255"/>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="255"/>
        <source>Identity kinds</source>
        <translation>Identitätsarten</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="256"/>
        <source>Scope label</source>
        <translation>Bezeichnung des Umfangs</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="257"/>
        <source>In the pack</source>
        <translation>Im Paket</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="258"/>
        <source>%1 grants, %2 requests, %3 events, %4 exceptions, a sample of %5 grants (seed %6)</source>
        <translation>%1 Zugriffe, %2 Anträge, %3 Ereignisse, %4 Ausnahmen, eine Stichprobe von %5 Zugriffen (Startwert %6)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="266"/>
        <source>Made</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="267"/>
        <source>When (UTC)</source>
        <translation>Wann (UTC)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="268"/>
        <source>By</source>
        <translation>Von</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="268"/>
        <location filename="../ui/EvidenceReport.cpp" line="529"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="269"/>
        <source>With</source>
        <translation>Mit</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="269"/>
        <source>lapse</source>
        <translation>lapse</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="271"/>
        <source>Anchored to the signed checkpoint</source>
        <translation>Verankert im signierten Checkpoint</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="272"/>
        <source>Log origin</source>
        <translation>Protokollkennung (Origin)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="272"/>
        <source>Tree size</source>
        <translation>Baumgröße</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="273"/>
        <source>Root hash (base64)</source>
        <translation>Wurzel-Hash (base64)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="274"/>
        <source>Log key (vkey)</source>
        <translation>Protokollschlüssel (vkey)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="275"/>
        <source>Events covered</source>
        <translation>Erfasste Ereignisse</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="276"/>
        <source>seq %1 to %2</source>
        <translation>Nr. %1 bis %2</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="277"/>
        <location filename="../ui/EvidenceReport.cpp" line="504"/>
        <location filename="../ui/EvidenceReport.cpp" line="530"/>
        <location filename="../ui/EvidenceReport.cpp" line="535"/>
        <location filename="../ui/EvidenceReport.cpp" line="536"/>
        <location filename="../ui/EvidenceReport.cpp" line="537"/>
        <location filename="../ui/EvidenceReport.cpp" line="539"/>
        <location filename="../ui/EvidenceReport.cpp" line="552"/>
        <location filename="../ui/EvidenceReport.cpp" line="563"/>
        <location filename="../ui/EvidenceReport.cpp" line="626"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="280"/>
        <source>checkpoint.txt holds this checkpoint as signed; log-key.vkey is the key that verifies it. Every event in events.jsonl has an inclusion proof against it in proofs/.</source>
        <translation>checkpoint.txt enthält diesen Checkpoint so, wie er signiert wurde; log-key.vkey ist der Schlüssel, mit dem er sich prüfen lässt. Für jedes Ereignis in events.jsonl liegt in proofs/ ein Einschlussbeweis gegen diesen Checkpoint.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="283"/>
        <source>Data digest</source>
        <translation>Hashwert der Daten</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="284"/>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="286"/>
        <source>This is the SHA-256 of the sha256sum listing, sorted by file name, of every data file in the pack: all files but report.pdf, manifest.json and manifest.sig. A manifest cannot list its own hash, and this report is listed in it, so the report shows this digest instead. manifest.json holds the SHA-256 of every other file, this report included, and manifest.sig is its signature by the log key: together they bind this report to the data.</source>
        <translation>Dies ist der SHA-256-Hash der nach Dateinamen sortierten sha256sum-Liste aller Datendateien im Paket: aller Dateien außer report.pdf, manifest.json und manifest.sig. Ein Manifest kann seinen eigenen Hash nicht enthalten, und dieser Bericht ist darin aufgeführt; deshalb zeigt der Bericht stattdessen diesen Hashwert. manifest.json enthält den SHA-256-Hash jeder anderen Datei, diesen Bericht eingeschlossen, und manifest.sig ist seine Signatur mit dem Protokollschlüssel: Zusammen binden sie diesen Bericht an die Daten.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="294"/>
        <source>Contents</source>
        <translation>Inhalt</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="306"/>
        <source>Control mapping</source>
        <translation>Zuordnung zu Kontrollen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="308"/>
        <source>What in this pack evidences each control. The pack shows how access was granted, used and ended in the period; it does not by itself show that a control is designed or operating effectively.</source>
        <translation>Was in diesem Paket jede Kontrolle belegt. Das Paket zeigt, wie im Zeitraum Zugriff gewährt, genutzt und beendet wurde; für sich allein zeigt es nicht, dass eine Kontrolle angemessen ausgestaltet ist oder wirksam funktioniert.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="310"/>
        <source>section “Exceptions” of this report</source>
        <translation>Abschnitt „Ausnahmen“ dieses Berichts</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="311"/>
        <source>section “Sample” of this report</source>
        <translation>Abschnitt „Stichprobe“ dieses Berichts</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="313"/>
        <location filename="../ui/EvidenceReport.cpp" line="318"/>
        <location filename="../ui/EvidenceReport.cpp" line="325"/>
        <location filename="../ui/EvidenceReport.cpp" line="332"/>
        <source>NIST SP 800-53 Rev. 5</source>
        <translation>NIST SP 800-53 Rev. 5</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="314"/>
        <source>Temporary and emergency access is granted for a fixed window and ends on its own: each grant has an approved TTL, an expiry fixed at approval and a recorded end (completed, revoked or expired); break-glass grants are the emergency case.</source>
        <translation>Temporärer Zugriff und Notfallzugriff werden für ein festes Zeitfenster gewährt und enden von selbst: Jeder Zugriff hat eine genehmigte TTL, einen bei der Genehmigung festgelegten Ablauf und ein aufgezeichnetes Ende (abgeschlossen, widerrufen oder abgelaufen); Notfallzugriffe decken den Notfall ab.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="317"/>
        <source>grants.csv columns expires_at, ended_at, ending, break_glass; %1</source>
        <translation>grants.csv, Spalten expires_at, ended_at, ending, break_glass; %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="319"/>
        <source>Least privilege: for each grant the privileges requested, approved and declared as the task&apos;s minimum, and how many approved privileges went beyond that minimum.</source>
        <translation>Minimale Rechtevergabe (Least Privilege): für jeden Zugriff die beantragten, die genehmigten und die als Minimum der Aufgabe angegebenen Rechte sowie wie viele genehmigte Rechte über dieses Minimum hinausgingen.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="322"/>
        <source>grants.csv columns requested_privileges, approved_privileges, minimum_privileges, excess_privileges; chart “Grant width”</source>
        <translation>grants.csv, Spalten requested_privileges, approved_privileges, minimum_privileges, excess_privileges; Diagramm „Breite der Zugriffe“</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="326"/>
        <source>Audit information is protected cryptographically: the events are leaves of a Merkle tree whose checkpoint is signed by the log key; each event has an inclusion proof against it and the pack&apos;s manifest is signed by the same key.</source>
        <translation>Prüfinformationen sind kryptografisch geschützt: Die Ereignisse sind Blätter eines Merkle-Baums, dessen Checkpoint mit dem Protokollschlüssel signiert ist; für jedes Ereignis gibt es einen Einschlussbeweis gegen diesen Checkpoint, und das Manifest des Pakets ist mit demselben Schlüssel signiert.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="330"/>
        <source>checkpoint.txt (signature), log-key.vkey, proofs/, events.jsonl (hash of each event), manifest.json + manifest.sig</source>
        <translation>checkpoint.txt (Signatur), log-key.vkey, proofs/, events.jsonl (Hash jedes Ereignisses), manifest.json + manifest.sig</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="333"/>
        <source>Every event names its actor as the broker authenticated it (approvals name the approver, automatic decisions the policy); the signed checkpoint and the proofs show the events are in the log unchanged. The events are not signed by the actors themselves.</source>
        <translation>Jedes Ereignis nennt seinen Akteur so, wie der Broker ihn authentifiziert hat (Genehmigungen die genehmigende Person, automatische Entscheidungen die Richtlinie); der signierte Checkpoint und die Beweise zeigen, dass die Ereignisse unverändert im Protokoll stehen. Die Ereignisse sind nicht von den Akteuren selbst signiert.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="336"/>
        <source>events.jsonl (actor of each event), checkpoint.txt, proofs/; timelines in %1</source>
        <translation>events.jsonl (Akteur jedes Ereignisses), checkpoint.txt, proofs/; Zeitleisten im %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="338"/>
        <source>NIST CSF 2.0</source>
        <translation>NIST CSF 2.0</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="339"/>
        <source>Access permissions are managed per request: approved by someone other than the requester, by a named directory rule (approved_by policy:&lt;rule&gt;, its digest in the events) or by the break-glass policy with a review afterwards, limited in time, with requested, approved and minimum privileges recorded.</source>
        <translation>Zugriffsberechtigungen werden je Antrag verwaltet: genehmigt von einer anderen Person als der antragstellenden, von einer benannten Regel des Verzeichnisses (approved_by policy:&lt;Regel&gt;, ihr Digest in den Ereignissen) oder von der Notfallzugriffsrichtlinie mit nachträglicher Prüfung, zeitlich begrenzt, mit aufgezeichneten beantragten, genehmigten und minimalen Rechten.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="343"/>
        <source>grants.csv columns principal, approved_by, approved_privileges, minimum_privileges; requests.csv; %1</source>
        <translation>grants.csv, Spalten principal, approved_by, approved_privileges, minimum_privileges; requests.csv; %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="346"/>
        <location filename="../ui/EvidenceReport.cpp" line="350"/>
        <location filename="../ui/EvidenceReport.cpp" line="355"/>
        <source>SOC 2 (2017 TSC)</source>
        <translation>SOC 2 (2017 TSC)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="347"/>
        <source>Access to the targets in scope is issued as grants: a short-lived credential per approved request, and the sessions opened with it as the resource servers reported them.</source>
        <translation>Der Zugang zu den Zielen im Umfang wird in Form von Zugriffen vergeben: ein kurzlebiger Berechtigungsnachweis je genehmigtem Antrag und die damit geöffneten Sitzungen, wie die Ressourcenserver sie gemeldet haben.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="349"/>
        <source>grants.csv; events.jsonl (credential and session events)</source>
        <translation>grants.csv; events.jsonl (Ereignisse zu Berechtigungsnachweisen und Sitzungen)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="351"/>
        <source>Every credential follows an authorized request: requests.csv lists each request in the period whatever became of it, with its approvals; each grant names the request it came from.</source>
        <translation>Jeder Berechtigungsnachweis folgt auf einen autorisierten Antrag: requests.csv führt jeden Antrag im Zeitraum mit seinen Genehmigungen auf, gleich wie er ausging; jeder Zugriff nennt den Antrag, aus dem er hervorging.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="354"/>
        <source>requests.csv; grants.csv columns request_id, approved_by; events.jsonl</source>
        <translation>requests.csv; grants.csv, Spalten request_id, approved_by; events.jsonl</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="356"/>
        <source>Access is removed at expiry or on revocation; the time from a revocation until its sessions were confirmed closed, sessions left open and privileges beyond the minimum are measured.</source>
        <translation>Zugriff wird bei Ablauf oder Widerruf entzogen; gemessen werden die Zeit von einem Widerruf bis zur bestätigten Schließung seiner Sitzungen, offen gebliebene Sitzungen und Rechte über das Minimum hinaus.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="358"/>
        <source>grants.csv columns ending, ended_at, revocation_effect_ms; chart “Revocation”; %1</source>
        <translation>grants.csv, Spalten ending, ended_at, revocation_effect_ms; Diagramm „Widerruf“; %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="360"/>
        <location filename="../ui/EvidenceReport.cpp" line="366"/>
        <source>ISO/IEC 27001:2022</source>
        <translation>ISO/IEC 27001:2022</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="361"/>
        <source>Access rights are provided on request and approval, removed when the window ends, and emergency access is reviewed; repeated elevations point at rights that may need redesign.</source>
        <translation>Zugriffsrechte werden auf Antrag und nach Genehmigung vergeben und mit dem Ende des Zeitfensters entzogen, Notfallzugriffe werden geprüft; wiederholte Erhöhungen weisen auf Rechte hin, die womöglich neu gestaltet werden sollten.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="367"/>
        <source>Privileged access is restricted and managed: each elevation is requested for a task with a reason (and a ticket where the target asks for one), approved, time-limited and logged.</source>
        <translation>Privilegierter Zugriff ist eingeschränkt und gesteuert: Jede Erhöhung wird für eine Aufgabe mit Begründung (und einem Ticket, wo das Ziel eines verlangt) beantragt, genehmigt, zeitlich begrenzt und protokolliert.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="369"/>
        <source>grants.csv columns task, reason, ticket, approved_by; %1</source>
        <translation>grants.csv, Spalten task, reason, ticket, approved_by; %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="370"/>
        <location filename="../ui/EvidenceReport.cpp" line="377"/>
        <source>PCI DSS 4.0</source>
        <translation>PCI DSS 4.0</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="371"/>
        <source>Input to the periodic review of accounts and access privileges: every grant in the period with who, what, how long and approved by whom. The review itself is the reviewer&apos;s.</source>
        <translation>Grundlage für die regelmäßige Überprüfung von Konten und Zugriffsrechten: jeder Zugriff im Zeitraum mit wer, was, wie lange und von wem genehmigt. Die Überprüfung selbst obliegt der prüfenden Person.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="363"/>
        <source>requests.csv; grants.csv; reviews.csv; %1 (break-glass, repeated elevation); section “Access reviews”</source>
        <translation>requests.csv; grants.csv; reviews.csv; %1 (Break-Glass, wiederholte Erhöhung); Abschnitt „Zugriffsprüfungen“</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="374"/>
        <source>grants.csv; chart “Grants by identity”; %1 (repeated elevation); reviews.csv and section “Access reviews” (the owners&apos; decisions)</source>
        <translation>grants.csv; Diagramm „Zugriffe nach Identität“; %1 (wiederholte Erhöhung); reviews.csv und Abschnitt „Zugriffsprüfungen“ (die Entscheidungen der Verantwortlichen)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="378"/>
        <source>Audit logs record each access event with its time, type, actor and subject; the inclusion proofs show each event is in the signed log as recorded.</source>
        <translation>Prüfprotokolle zeichnen jedes Zugriffsereignis mit Zeit, Typ, Akteur und Gegenstand auf; die Einschlussbeweise zeigen, dass jedes Ereignis so im signierten Protokoll steht, wie es aufgezeichnet wurde.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="380"/>
        <source>events.jsonl; proofs/; checkpoint.txt</source>
        <translation>events.jsonl; proofs/; checkpoint.txt</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="382"/>
        <source>Framework</source>
        <translation>Rahmenwerk</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="382"/>
        <source>Control</source>
        <translation>Kontrolle</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="382"/>
        <source>What the pack shows</source>
        <translation>Was das Paket zeigt</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="382"/>
        <source>Evidence in the pack</source>
        <translation>Nachweis im Paket</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="388"/>
        <source>Exceptions</source>
        <translation>Ausnahmen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="390"/>
        <source>%1 exceptions in total. The report lists at most %2 per category; all of them are in grants.csv.</source>
        <translation>Insgesamt %1 Ausnahmen. Der Bericht führt höchstens %2 je Kategorie auf; alle stehen in grants.csv.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="399"/>
        <source>Break-glass grants and their review</source>
        <translation>Notfallzugriffe und ihre Prüfung</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="400"/>
        <source>Lingering sessions: open after their grant ended</source>
        <translation>Nachlaufende Sitzungen: offen nach Ende ihres Zugriffs</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="402"/>
        <source>Credential uses after the grant ended</source>
        <translation>Nutzungen des Berechtigungsnachweises nach Ende des Zugriffs</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="403"/>
        <source>Revocations whose sessions were never confirmed closed</source>
        <translation>Widerrufe, deren Sitzungen nie als geschlossen bestätigt wurden</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="405"/>
        <source>Repeated-elevation candidates</source>
        <translation>Kandidaten wiederholter Erhöhung</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="407"/>
        <source>Incomplete records</source>
        <translation>Unvollständige Einträge</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="427"/>
        <location filename="../ui/EvidenceReport.cpp" line="623"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="429"/>
        <source>None.</source>
        <translation>Keine.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="436"/>
        <location filename="../ui/EvidenceReport.cpp" line="572"/>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="436"/>
        <source>Grant</source>
        <translation>Zugriff</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="437"/>
        <location filename="../ui/EvidenceReport.cpp" line="528"/>
        <source>Principal</source>
        <translation>Principal</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="437"/>
        <location filename="../ui/EvidenceReport.cpp" line="531"/>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="437"/>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="437"/>
        <location filename="../ui/EvidenceReport.cpp" line="475"/>
        <location filename="../ui/EvidenceReport.cpp" line="581"/>
        <source>Seq</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="442"/>
        <source>… and %1 more — all in grants.csv.</source>
        <translation>… und %1 weitere — alle in grants.csv.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="443"/>
        <source>… and %1 more — all in grants.csv (columns %2).</source>
        <translation>… und %1 weitere — alle in grants.csv (Spalten %2).</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="451"/>
        <source>Access reviews</source>
        <translation>Zugriffsprüfungen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="458"/>
        <source>Decisions the owners recorded on repeated elevations (review.decided events, each in events.jsonl with its proof, all in reviews.csv): keep asking just in time, convert to a policy rule, or grant a narrow standing entitlement outside Lapse. The period has %1 repeated-elevation candidates; %2 decisions concern it.</source>
        <translation>Entscheidungen der Verantwortlichen über wiederholte Erhöhungen (review.decided-Ereignisse, jedes in events.jsonl mit seinem Beweis, alle in reviews.csv): weiter just in time anfragen, in eine Richtlinienregel überführen oder eine enge dauerhafte Berechtigung außerhalb von Lapse vergeben. Der Zeitraum hat %1 Kandidaten wiederholter Erhöhung; %2 Entscheidungen betreffen ihn.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="467"/>
        <source>None recorded.</source>
        <translation>Keine erfasst.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="475"/>
        <source>Identity · target [privileges]</source>
        <translation>Identität · Ziel [Rechte]</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="475"/>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="475"/>
        <source>Reviewer</source>
        <translation>Prüfer/in</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="475"/>
        <source>Comment</source>
        <translation>Kommentar</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="481"/>
        <source>Sample</source>
        <translation>Stichprobe</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="487"/>
        <source>%1 of the %2 grants in scope, drawn at random with seed %3, in the order drawn. Each grant&apos;s timeline lists every event of the grant, its request and its sessions.</source>
        <translation>%1 der %2 Zugriffe im Umfang, zufällig gezogen mit Startwert %3, in der Reihenfolge der Ziehung. Die Zeitleiste jedes Zugriffs führt jedes Ereignis des Zugriffs, seines Antrags und seiner Sitzungen auf.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="494"/>
        <source>To redraw the same sample:</source>
        <translation>So wird dieselbe Stichprobe erneut gezogen:</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="501"/>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="501"/>
        <location filename="../ui/EvidenceReport.cpp" line="540"/>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="511"/>
        <source>Sample %1 of %2: grant %3</source>
        <translation>Stichprobe %1 von %2: Zugriff %3</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="515"/>
        <source>not revoked</source>
        <translation>nicht widerrufen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="517"/>
        <source>no session open at the revocation</source>
        <translation>beim Widerruf keine Sitzung offen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="519"/>
        <source>a session is still not confirmed closed</source>
        <translation>eine Sitzung ist noch nicht als geschlossen bestätigt</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="524"/>
        <source> by %1</source>
        <translation> durch %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="529"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="530"/>
        <source>Owner</source>
        <translation>Verantwortlich</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="532"/>
        <source>Privileges requested</source>
        <translation>Beantragte Rechte</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="533"/>
        <source>Privileges approved</source>
        <translation>Genehmigte Rechte</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="534"/>
        <source>Minimum privileges</source>
        <translation>Nötige Mindestrechte</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="534"/>
        <source>not declared</source>
        <translation>nicht angegeben</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="535"/>
        <source>Task</source>
        <translation>Aufgabe</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="536"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="537"/>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="538"/>
        <source>Request</source>
        <translation>Antrag</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="539"/>
        <source>Approved by</source>
        <translation>Genehmigt von</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="540"/>
        <source>Break-glass</source>
        <translation>Notfallzugriff</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="540"/>
        <source>yes, reviewed: %1</source>
        <translation>ja, geprüft: %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="541"/>
        <source>Requested (UTC)</source>
        <translation>Beantragt (UTC)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="542"/>
        <source>Approved (UTC)</source>
        <translation>Genehmigt (UTC)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="543"/>
        <source>Start (UTC)</source>
        <translation>Beginn (UTC)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="544"/>
        <source>Expiry (UTC)</source>
        <translation>Ablauf (UTC)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="545"/>
        <source>End (UTC)</source>
        <translation>Ende (UTC)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="546"/>
        <source>Ending</source>
        <translation>Beendigung</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="547"/>
        <source>Revocation time to effect</source>
        <translation>Widerruf wirksam nach</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="548"/>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="550"/>
        <source>%1, %2 still open after the grant ended</source>
        <translation>%1, davon %2 nach Ende des Zugriffs noch offen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="552"/>
        <location filename="../ui/EvidenceReport.cpp" line="572"/>
        <source>Lingering</source>
        <translation>Nachlauf</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="553"/>
        <source>Post-expiry uses</source>
        <translation>Nutzungen nach Ablauf</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="554"/>
        <source>Lifecycle events (seq)</source>
        <translation>Ereignisse im Lebenszyklus (Nr.)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="555"/>
        <source>requested %1, approved %2, active %3, ended %4, reviewed %5</source>
        <translation>beantragt %1, genehmigt %2, aktiv %3, beendet %4, geprüft %5</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="565"/>
        <source>still open</source>
        <translation>noch offen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="569"/>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="572"/>
        <source>Reported by</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="572"/>
        <source>Opened (UTC)</source>
        <translation>Geöffnet (UTC)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="572"/>
        <source>Closed (UTC)</source>
        <translation>Geschlossen (UTC)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="579"/>
        <source>No events.</source>
        <translation>Keine Ereignisse.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="581"/>
        <source>Time (UTC)</source>
        <translation>Zeit (UTC)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="581"/>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="581"/>
        <source>Actor</source>
        <translation>Akteur</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="581"/>
        <source>Subject</source>
        <translation>Gegenstand</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="612"/>
        <source>%1 grants on %2 days, %3 by break-glass.</source>
        <translation>%1 Zugriffe an %2 Tagen, davon %3 als Notfallzugriff.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="617"/>
        <source>Busiest day: %1 with %2 grants.</source>
        <translation>Stärkster Tag: %1 mit %2 Zugriffen.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="624"/>
        <source>%1 identities; most grants: %2.</source>
        <translation>%1 Identitäten; die meisten Zugriffe: %2.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="627"/>
        <source>%1 repeated-elevation candidates: the same identity, target and privileges %2 times or more within %3 days.</source>
        <translation>%1 Kandidaten wiederholter Erhöhung: dieselbe Identität, dasselbe Ziel und dieselben Rechte %2-mal oder öfter innerhalb von %3 Tagen.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="634"/>
        <source>%1 of %2 grants declared a minimum: %3 approved privileges beyond it, %4 grants narrowed by the approver.</source>
        <translation>%1 von %2 Zugriffen gaben ein Minimum an: %3 genehmigte Rechte darüber hinaus, %4 Zugriffe von der genehmigenden Person eingeschränkt.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="637"/>
        <source>%1 grants with usage reported: %2 approved privileges never used.</source>
        <translation>%1 Zugriffe mit gemeldeter Nutzung: %2 genehmigte Rechte nie genutzt.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="641"/>
        <source>%1 sessions open after their grant ended, %2 in total; %3 still open when the metrics were computed.</source>
        <translation>%1 Sitzungen offen nach Ende ihres Zugriffs, insgesamt %2; %3 noch offen, als die Kennzahlen berechnet wurden.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="646"/>
        <source>%1 credential uses after the grant ended.</source>
        <translation>%1 Nutzungen von Berechtigungsnachweisen nach Ende des Zugriffs.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="648"/>
        <source>%1 revocations. Introspection refuses the credential from the revocation on (0 s).</source>
        <translation>%1 Widerrufe. Die Introspektion verweigert den Berechtigungsnachweis ab dem Widerruf (0 s).</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="650"/>
        <source>Until the last session was confirmed closed: p50 %1 s, p99 %2 s; %3 revocations with sessions still unconfirmed.</source>
        <translation>Bis die letzte Sitzung als geschlossen bestätigt war: p50 %1 s, p99 %2 s; %3 Widerrufe mit noch unbestätigten Sitzungen.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="657"/>
        <source>%1 grants ended: %2 completed early, %3 expired, %4 revoked; %5 by break-glass.</source>
        <translation>%1 Zugriffe beendet: %2 vorzeitig abgeschlossen, %3 abgelaufen, %4 widerrufen; %5 als Notfallzugriff.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="659"/>
        <source>Used %1 of %2 approved; %3 of %4 records complete (task, reason, approver or policy, expiry and an owner).</source>
        <translation>%1 von %2 genehmigter Zeit genutzt; %3 von %4 Einträgen vollständig (Aufgabe, Grund, genehmigende Person oder Richtlinie, Ablauf und Verantwortliche).</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="721"/>
        <location filename="../ui/EvidenceReport.cpp" line="842"/>
        <source>The six insight metrics</source>
        <translation>Die sechs Kennzahlen der Auswertungen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="725"/>
        <source>The numbers the console&apos;s Insights tab shows for this scope, computed by the same implementation (lapsectl metrics).</source>
        <translation>Die Zahlen, die der Reiter „Auswertungen“ der Konsole für diesen Umfang zeigt, berechnet von derselben Implementierung (lapsectl metrics).</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="742"/>
        <source>1. Elevations per day</source>
        <translation>1. Erhöhungen pro Tag</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="744"/>
        <source>2. Grants by identity (top twelve)</source>
        <translation>2. Zugriffe nach Identität (die zwölf häufigsten)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="746"/>
        <source>3. Grant width</source>
        <translation>3. Breite der Zugriffe</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="747"/>
        <source>4. Lingering sessions and post-expiry uses per day</source>
        <translation>4. Nachlaufende Sitzungen und Nutzungen nach Ablauf pro Tag</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="749"/>
        <source>5. Revocation: time until sessions confirmed closed</source>
        <translation>5. Widerruf: Zeit bis zur bestätigten Schließung der Sitzungen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="751"/>
        <source>6. How grants ended</source>
        <translation>6. Wie Zugriffe endeten</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="771"/>
        <source>Lapse evidence pack — %1</source>
        <translation>Lapse-Nachweispaket — %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="773"/>
        <source>%1 to %2</source>
        <translation>%1 bis %2</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="780"/>
        <source>Data digest %1…</source>
        <translation>Hashwert der Daten %1…</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="781"/>
        <source>page %1 of %2</source>
        <translation>Seite %1 von %2</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="812"/>
        <source>Lapse evidence pack — %1, %2 to %3</source>
        <translation>Lapse-Nachweispaket — %1, %2 bis %3</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="868"/>
        <source>Could not start the PDF report.</source>
        <translation>Der PDF-Bericht konnte nicht begonnen werden.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="874"/>
        <source>Could not add a page to the PDF report.</source>
        <translation>Dem PDF-Bericht konnte keine Seite hinzugefügt werden.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceReport.cpp" line="880"/>
        <source>Could not finish the PDF report.</source>
        <translation>Der PDF-Bericht konnte nicht abgeschlossen werden.</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <location filename="../app/console/Demo.cpp" line="16"/>
        <source>the demo needs the example directory (resources/directory.example.json)</source>
        <translation>Die Demo braucht das Beispielverzeichnis (resources/directory.example.json)</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="75"/>
        <source>cannot create the data directory %1</source>
        <translation>Das Datenverzeichnis %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="77"/>
        <source>cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="86"/>
        <source>--listen takes HOST:PORT, e.g. 127.0.0.1:8443</source>
        <translation>--listen erwartet HOST:PORT, z. B. 127.0.0.1:8443</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="91"/>
        <source>--listen must be a loopback address: the console serves plain HTTP (use lapse-broker for a TLS endpoint)</source>
        <translation>--listen muss eine Loopback-Adresse sein: Die Konsole spricht unverschlüsseltes HTTP (für einen TLS-Endpunkt lapse-broker verwenden)</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="198"/>
        <source>--url must be an https:// address of a lapse-broker</source>
        <translation>--url muss eine https://-Adresse eines lapse-broker sein</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="203"/>
        <source>cannot read the key file %1</source>
        <translation>Die Schlüsseldatei %1 kann nicht gelesen werden</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="210"/>
        <source>remote mode needs an API key: --key-file FILE, LAPSE_KEY or the prompt</source>
        <translation>der Fernmodus braucht einen API-Schlüssel: --key-file DATEI, LAPSE_KEY oder die Eingabe</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="237"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="239"/>
        <source>--as %1: no such principal in %2</source>
        <translation>--as %1: kein solcher Principal in %2</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="276"/>
        <source>Demo without a real PostgreSQL (%1): every session is simulated</source>
        <translation>Demo ohne echtes PostgreSQL (%1): alle Sitzungen sind simuliert</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="286"/>
        <source>API on http://%1:%2</source>
        <translation>API unter http://%1:%2</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="287"/>
        <source>could not serve the API on %1 (in use?)</source>
        <translation>Die API konnte nicht unter %1 angeboten werden (belegt?)</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="302"/>
        <source>Audit mirror stopped: the broker&apos;s chain breaks at event %1: %2</source>
        <translation>Prüfprotokoll-Spiegel angehalten: Die Kette des Brokers bricht bei Ereignis %1: %2</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="318"/>
        <source>No audit mirror: %1</source>
        <translation>Kein Spiegel des Prüfprotokolls: %1</translation>
    </message>
    <message>
        <location filename="../app/console/main.cpp" line="325"/>
        <source>Demo not started: %1</source>
        <translation>Demo nicht gestartet: %1</translation>
    </message>
</context>
<context>
    <name>lapse::ActiveWidget</name>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="75"/>
        <source>&amp;Revoke grant…</source>
        <translation>Zugriff &amp;widerrufen…</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="77"/>
        <source>End the selected grant now: its credential stops working and its sessions are ordered closed</source>
        <translation>Den ausgewählten Zugriff jetzt beenden: Sein Berechtigungsnachweis funktioniert nicht mehr und seine Sitzungen werden geschlossen</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="79"/>
        <source>&amp;Terminate session…</source>
        <translation>Sitzung &amp;beenden…</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="81"/>
        <source>Order the selected session closed at its resource server</source>
        <translation>Die ausgewählte Sitzung auf ihrem Ressourcenserver schließen lassen</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="82"/>
        <source>&amp;Lock out identity…</source>
        <translation>Identität &amp;sperren…</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="84"/>
        <source>Revoke everything the identity holds, terminate its sessions and refuse its requests until unlocked</source>
        <translation>Alles widerrufen, was die Identität hält, ihre Sitzungen beenden und ihre Anträge bis zur Entsperrung ablehnen</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="128"/>
        <source>Active grants (countdown to expiry)</source>
        <translation>Aktive Zugriffe (Countdown bis zum Ablauf)</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="136"/>
        <source>Show &amp;all sessions</source>
        <translation>&amp;Alle Sitzungen zeigen</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="139"/>
        <source>Clear the grant selection: list the sessions of every grant, including lingering ones whose grant already ended</source>
        <translation>Auswahl des Zugriffs aufheben: die Sitzungen aller Zugriffe zeigen, auch nachlaufende, deren Zugriff schon beendet ist</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="169"/>
        <location filename="../ui/ActiveWidget.cpp" line="177"/>
        <source>Sessions of every grant — lingering ones (open after their grant ended) are highlighted</source>
        <translation>Sitzungen aller Zugriffe — nachlaufende (noch offen nach Ende ihres Zugriffs) sind hervorgehoben</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="171"/>
        <source>Sessions of grant %1 — lingering ones are highlighted</source>
        <translation>Sitzungen des Zugriffs %1 — nachlaufende sind hervorgehoben</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="257"/>
        <source>Not done: the connection to the broker is down. Actions are never queued; try again when the status bar says live.</source>
        <translation>Nicht ausgeführt: Die Verbindung zum Broker ist unterbrochen. Aktionen werden nie vorgemerkt; erneut versuchen, sobald die Statusleiste „live“ zeigt.</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="283"/>
        <source>Revoke grant</source>
        <translation>Zugriff widerrufen</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="284"/>
        <source>Revoke grant %1 of %2 on %3 now? Its credential stops working at once and its sessions are ordered closed.</source>
        <translation>Zugriff %1 von %2 auf %3 jetzt widerrufen? Sein Berechtigungsnachweis funktioniert sofort nicht mehr und seine Sitzungen werden geschlossen.</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="287"/>
        <source>Revoke</source>
        <translation>Widerrufen</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="293"/>
        <source>Revoking %1…</source>
        <translation>%1 wird widerrufen…</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="301"/>
        <source>Revoke failed: %1</source>
        <translation>Widerruf fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="314"/>
        <source>Terminate session</source>
        <translation>Sitzung beenden</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="315"/>
        <source>Order session %1 of %2 on %3 closed? The resource server %4 is told to end it.</source>
        <translation>Sitzung %1 von %2 auf %3 schließen lassen? Der Ressourcenserver %4 wird angewiesen, sie zu beenden.</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="317"/>
        <source>Terminate</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="323"/>
        <source>Ordering session %1 closed…</source>
        <translation>Sitzung %1 wird geschlossen…</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="331"/>
        <source>Terminate failed: %1</source>
        <translation>Beenden fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="343"/>
        <source>Lock out identity</source>
        <translation>Identität sperren</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="344"/>
        <source>Lock out %1? Every grant it holds is revoked, its sessions are ordered closed, its pending requests are denied and new ones refused until it is unlocked.</source>
        <translation>%1 sperren? Jeder Zugriff wird widerrufen, die Sitzungen werden geschlossen, offene Anträge abgelehnt und neue bis zur Entsperrung verweigert.</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="348"/>
        <source>Lock out</source>
        <translation>Sperren</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="354"/>
        <source>Locking out %1…</source>
        <translation>%1 wird gesperrt…</translation>
    </message>
    <message>
        <location filename="../ui/ActiveWidget.cpp" line="362"/>
        <source>Lockout failed: %1</source>
        <translation>Sperre fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>lapse::ApprovalPane</name>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="59"/>
        <source>Select a request in the queue to decide on it.</source>
        <translation>Einen Antrag in der Warteschlange auswählen, um darüber zu entscheiden.</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="90"/>
        <source>Requester:</source>
        <translation>Antragsteller:</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="91"/>
        <source>Target:</source>
        <translation>Ziel:</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="92"/>
        <source>Task:</source>
        <translation>Aufgabe:</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="93"/>
        <source>Reason:</source>
        <translation>Begründung:</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="94"/>
        <source>Ticket:</source>
        <translation>Ticket:</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="95"/>
        <source>Timing:</source>
        <translation>Zeiten:</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="96"/>
        <source>Approvals:</source>
        <translation>Genehmigungen:</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="99"/>
        <source>Requester context</source>
        <translation>Kontext des Antragstellers</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="106"/>
        <source>Decision</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="111"/>
        <source>Privileges to grant (uncheck to narrow):</source>
        <translation>Zu gewährende Rechte (abwählen zum Einschränken):</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="115"/>
        <source>Narrow to &amp;minimum</source>
        <translation>Auf das &amp;Minimum einschränken</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="117"/>
        <source>Keep only the privileges the task declared it needs</source>
        <translation>Nur die Rechte behalten, die die Aufgabe als nötig angegeben hat</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="127"/>
        <source> min</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="133"/>
        <source>&amp;TTL:</source>
        <translation>&amp;TTL:</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="138"/>
        <source>Optional, recorded with the approval</source>
        <translation>Optional, wird mit der Genehmigung gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="139"/>
        <source>&amp;Comment:</source>
        <translation>&amp;Kommentar:</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="142"/>
        <source>Required to deny; Enter denies</source>
        <translation>Zum Ablehnen erforderlich; Enter lehnt ab</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="143"/>
        <source>Deny &amp;reason:</source>
        <translation>Ablehnungs&amp;grund:</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="147"/>
        <source>Approve (A / Enter)</source>
        <translation>Genehmigen (A / Enter)</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="149"/>
        <source>Approve with the checked privileges and TTL. Keys: A or Enter</source>
        <translation>Mit den angehakten Rechten und der TTL genehmigen. Tasten: A oder Enter</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="150"/>
        <source>Deny (D)</source>
        <translation>Ablehnen (D)</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="152"/>
        <source>Deny with the reason typed above. Key: D focuses the reason, Enter denies</source>
        <translation>Mit dem oben eingegebenen Grund ablehnen. Taste: D springt zum Grund, Enter lehnt ab</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="168"/>
        <source>Keys: Enter or A approve · D deny (type the reason, then Enter) · J / K next / previous request</source>
        <translation>Tasten: Enter oder A genehmigen · D ablehnen (Grund eingeben, dann Enter) · J / K nächster / vorheriger Antrag</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="235"/>
        <source>%1 asks for %2</source>
        <translation>%1 beantragt %2</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="238"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="239"/>
        <source>kind: %1</source>
        <translation>Art: %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="239"/>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="241"/>
        <source>owned by %1</source>
        <translation>gehört %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="252"/>
        <source>TTL cap %1</source>
        <translation>TTL-Obergrenze %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="255"/>
        <source>(none given)</source>
        <translation>(keine angegeben)</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="258"/>
        <source>BREAK-GLASS — %1</source>
        <translation>NOTFALLZUGRIFF — %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="260"/>
        <source>(none)</source>
        <translation>(keines)</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="266"/>
        <source>requested %1 for %2 · waiting %3 · expires unreviewed in %4</source>
        <translation>beantragt %1 für %2 · wartet seit %3 · verfällt ungeprüft in %4</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="275"/>
        <source>%1 required, none yet</source>
        <translation>%1 erforderlich, noch keine</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="276"/>
        <source>%1 of %2 (%3)</source>
        <translation>%1 von %2 (%3)</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="283"/>
        <source>%1 — as rule %2 requires</source>
        <translation>%1 — wie Regel %2 verlangt</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="291"/>
        <source>at most the requested %1</source>
        <translation>höchstens die beantragten %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="296"/>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="316"/>
        <source>%1 — needed for the task</source>
        <translation>%1 — für die Aufgabe nötig</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="318"/>
        <source>%1 — beyond the declared minimum</source>
        <translation>%1 — über das angegebene Minimum hinaus</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="335"/>
        <source>Checked: %1; no minimum declared</source>
        <translation>Angehakt: %1; kein Minimum angegeben</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="343"/>
        <source>Checked: %1, none beyond the minimum</source>
        <translation>Angehakt: %1, nichts über das Minimum hinaus</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="344"/>
        <source>%1 checked, %2 beyond the minimum</source>
        <translation>%1 angehakt, %2 über das Minimum hinaus</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="366"/>
        <source>Context unavailable: %1</source>
        <translation>Kontext nicht verfügbar: %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="371"/>
        <source>Elevations of %1 in the last 30 days: %2</source>
        <translation>Erhöhungen auf %1 in den letzten 30 Tagen: %2</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="375"/>
        <source>Last grant (%1) was used: a session was opened with it</source>
        <translation>Letzter Zugriff (%1) wurde genutzt: Es wurde eine Sitzung damit geöffnet</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="377"/>
        <source>Last grant (%1) was never used</source>
        <translation>Letzter Zugriff (%1) wurde nie genutzt</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="380"/>
        <source>No earlier grant on this target</source>
        <translation>Kein früherer Zugriff auf dieses Ziel</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="384"/>
        <source>Holds nothing right now</source>
        <translation>Hält derzeit nichts</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="389"/>
        <source>%1 [%2]</source>
        <translation>%1 [%2]</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="392"/>
        <source>Holds now: %1</source>
        <translation>Hält derzeit: %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="395"/>
        <source>LOCKED OUT — new requests are refused</source>
        <translation>GESPERRT — neue Anträge werden abgelehnt</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="404"/>
        <source>Not allowed — %1</source>
        <translation>Nicht erlaubt — %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="406"/>
        <source>No longer possible — %1</source>
        <translation>Nicht mehr möglich — %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="409"/>
        <source>Not accepted — %1</source>
        <translation>Nicht angenommen — %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="411"/>
        <source>Not found — %1</source>
        <translation>Nicht gefunden — %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="413"/>
        <source>The broker cannot be reached; nothing was decided. %1</source>
        <translation>Der Broker ist nicht erreichbar; es wurde nichts entschieden. %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="415"/>
        <source>The broker does not accept the console&apos;s key — %1</source>
        <translation>Der Broker akzeptiert den Schlüssel der Konsole nicht — %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="417"/>
        <source>The broker failed; nothing was changed — %1</source>
        <translation>Fehler im Broker; es wurde nichts geändert — %1</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="480"/>
        <source>Not approved: the connection to the broker is down. Decisions are never queued; try again when the status bar says live.</source>
        <translation>Nicht genehmigt: Die Verbindung zum Broker ist unterbrochen. Entscheidungen werden nie vorgemerkt; erneut versuchen, sobald die Statusleiste „live“ zeigt.</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="489"/>
        <source>Check at least one privilege to approve, or deny the request.</source>
        <translation>Mindestens ein Recht anhaken, um zu genehmigen, oder den Antrag ablehnen.</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="504"/>
        <source>Approving…</source>
        <translation>Wird genehmigt…</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="519"/>
        <source>Approved %1 → %2: %3 until %4</source>
        <translation>Genehmigt %1 → %2: %3 bis %4</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="527"/>
        <source>Your approval of %1 is recorded: %2 of %3 approvals; the request stays pending until another approver agrees.</source>
        <translation>Ihre Genehmigung von %1 ist gespeichert: %2 von %3 Genehmigungen; der Antrag bleibt offen, bis eine weitere Person zustimmt.</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="544"/>
        <source>Not denied: the connection to the broker is down. Decisions are never queued; try again when the status bar says live.</source>
        <translation>Nicht abgelehnt: Die Verbindung zum Broker ist unterbrochen. Entscheidungen werden nie vorgemerkt; erneut versuchen, sobald die Statusleiste „live“ zeigt.</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="553"/>
        <source>A reason is required to deny. Type it in the field below and press Enter.</source>
        <translation>Zum Ablehnen ist ein Grund nötig. Im Feld unten eingeben und Enter drücken.</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="560"/>
        <source>Denying…</source>
        <translation>Wird abgelehnt…</translation>
    </message>
    <message>
        <location filename="../ui/ApprovalPane.cpp" line="572"/>
        <source>Denied %1 → %2: %3</source>
        <translation>Abgelehnt %1 → %2: %3</translation>
    </message>
</context>
<context>
    <name>lapse::ApproverNotifier</name>
    <message>
        <location filename="../ui/ApproverNotifier.cpp" line="76"/>
        <source>Access request from %1</source>
        <translation>Zugriffsanfrage von %1</translation>
    </message>
    <message>
        <location filename="../ui/ApproverNotifier.cpp" line="77"/>
        <source>%1 asks for %2 on %3 for %4 min</source>
        <translation>%1 bittet um %2 auf %3 für %4 min</translation>
    </message>
    <message>
        <location filename="../ui/ApproverNotifier.cpp" line="81"/>
        <source>Reason: %1</source>
        <translation>Grund: %1</translation>
    </message>
    <message>
        <location filename="../ui/ApproverNotifier.cpp" line="93"/>
        <source>Lapse: %1 pending</source>
        <translation>Lapse: %1 offen</translation>
    </message>
</context>
<context>
    <name>lapse::AuditLogModel</name>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="60"/>
        <source>Cannot open the audit log %1: %2</source>
        <translation>Das Prüfprotokoll %1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="66"/>
        <source>%1 has no readable event log: %2</source>
        <translation>%1 hat kein lesbares Ereignisprotokoll: %2</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="176"/>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="234"/>
        <source>Reading the audit log failed: %1</source>
        <translation>Lesen des Prüfprotokolls fehlgeschlagen: %1</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="351"/>
        <source>%1 → %2 [%3], %4 s</source>
        <translation>%1 → %2 [%3], %4 s</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="355"/>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="364"/>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="366"/>
        <source>: %1</source>
        <translation>: %1</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="362"/>
        <source>%1 on %2 [%3]</source>
        <translation>%1 auf %2 [%3]</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="370"/>
        <source>%1 on %2 via %3</source>
        <translation>%1 auf %2 über %3</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="373"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="375"/>
        <source>%1 on %2 [%3]: %4: %5</source>
        <translation>%1 auf %2 [%3]: %4: %5</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="378"/>
        <source>%1 on %2, presented to %3 after the grant ended</source>
        <translation>%1 auf %2, nach Ende des Zugriffs %3 vorgelegt</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="433"/>
        <source>Seq</source>
        <translation>Nr.</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="435"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="437"/>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="439"/>
        <source>Actor</source>
        <translation>Akteur</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="441"/>
        <source>Subject</source>
        <translation>Gegenstand</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="443"/>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="445"/>
        <source>Hash</source>
        <translation>Hash</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/AuditLogModel.cpp" line="621"/>
        <source>cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
</context>
<context>
    <name>lapse::AuditLogWidget</name>
    <message>
        <location filename="../ui/AuditLogWidget.cpp" line="30"/>
        <source>Search type, actor, subject or content…</source>
        <translation>Typ, Akteur, Gegenstand oder Inhalt suchen…</translation>
    </message>
    <message>
        <location filename="../ui/AuditLogWidget.cpp" line="32"/>
        <source>&amp;Verify chain</source>
        <translation>Kette &amp;prüfen</translation>
    </message>
    <message>
        <location filename="../ui/AuditLogWidget.cpp" line="33"/>
        <source>Recompute every event&apos;s SHA-256 hash and check each links to the one before</source>
        <translation>Den SHA-256-Hash jedes Ereignisses neu berechnen und prüfen, dass jedes an das vorige anschließt</translation>
    </message>
    <message>
        <location filename="../ui/AuditLogWidget.cpp" line="39"/>
        <source>Chain: not verified yet</source>
        <translation>Kette: noch nicht geprüft</translation>
    </message>
    <message>
        <location filename="../ui/AuditLogWidget.cpp" line="92"/>
        <source>Chain verified: intact through event %1</source>
        <translation>Kette geprüft: intakt bis Ereignis %1</translation>
    </message>
    <message>
        <location filename="../ui/AuditLogWidget.cpp" line="95"/>
        <source>Chain BROKEN at event %1: %2</source>
        <translation>Kette GEBROCHEN bei Ereignis %1: %2</translation>
    </message>
    <message>
        <location filename="../ui/AuditLogWidget.cpp" line="112"/>
        <source>Chain: verifying…</source>
        <translation>Kette: wird geprüft…</translation>
    </message>
    <message>
        <location filename="../ui/AuditLogWidget.cpp" line="119"/>
        <source>Events: %1</source>
        <translation>Ereignisse: %1</translation>
    </message>
    <message>
        <location filename="../ui/AuditLogWidget.cpp" line="131"/>
        <source>Signed checkpoint %1 verified %2</source>
        <translation>Signierter Checkpoint %1 geprüft um %2</translation>
    </message>
    <message>
        <location filename="../ui/AuditLogWidget.cpp" line="138"/>
        <source>Audit mirror stopped: %1</source>
        <translation>Audit-Spiegel angehalten: %1</translation>
    </message>
</context>
<context>
    <name>lapse::ConfirmDialog</name>
    <message>
        <location filename="../ui/ConfirmDialog.cpp" line="21"/>
        <source>Why? (recorded in the audit log)</source>
        <translation>Warum? (wird im Prüfprotokoll festgehalten)</translation>
    </message>
    <message>
        <location filename="../ui/ConfirmDialog.cpp" line="18"/>
        <source>&amp;Reason:</source>
        <translation>&amp;Grund:</translation>
    </message>
</context>
<context>
    <name>lapse::DemoDatabase</name>
    <message>
        <location filename="../models/demo/DemoDatabase.cpp" line="61"/>
        <source>the console runs as root, and PostgreSQL refuses to run a server as root</source>
        <translation>die Konsole läuft als root, und PostgreSQL verweigert den Serverbetrieb als root</translation>
    </message>
    <message>
        <location filename="../models/demo/DemoDatabase.cpp" line="92"/>
        <source>cannot write %1</source>
        <translation>%1 kann nicht geschrieben werden</translation>
    </message>
    <message>
        <location filename="../models/demo/DemoDatabase.cpp" line="121"/>
        <source>Billing PostgreSQL (the demo&apos;s own server, enforced)</source>
        <translation>Abrechnungs-PostgreSQL (eigener Server der Demo, durchgesetzt)</translation>
    </message>
</context>
<context>
    <name>lapse::EffectTracker</name>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="132"/>
        <source>could not read the grant back: %1</source>
        <translation>Der Zugriff konnte nicht zurückgelesen werden: %1</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="138"/>
        <source>the broker still reports the grant active</source>
        <translation>Der Broker meldet den Zugriff noch als aktiv</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="155"/>
        <source>could not list the sessions: %1</source>
        <translation>Die Sitzungen konnten nicht abgefragt werden: %1</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="214"/>
        <source>checking sessions…</source>
        <translation>Sitzungen werden geprüft…</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="216"/>
        <source>no open sessions</source>
        <translation>keine offenen Sitzungen</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="218"/>
        <source>%1 of %2 sessions confirmed closed</source>
        <translation>%1 von %2 Sitzungen als geschlossen bestätigt</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="226"/>
        <source>Revoked at %1 — introspection refusing; %2</source>
        <translation>Widerrufen um %1 — Introspektion verweigert; %2</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="227"/>
        <source>Revoke recorded at %1 — waiting for the broker to confirm the grant ended…</source>
        <translation>Widerruf um %1 gespeichert — warte auf Bestätigung des Brokers, dass der Zugriff beendet ist…</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="232"/>
        <source>Session closed at %1, confirmed by the target (termination ordered at %2)</source>
        <translation>Sitzung um %1 geschlossen, vom Ziel bestätigt (Beendigung angeordnet um %2)</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="233"/>
        <source>Session closed at %1 (termination ordered at %2)</source>
        <translation>Sitzung um %1 geschlossen (Beenden angeordnet um %2)</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="235"/>
        <source>Termination ordered at %1 — waiting for the resource server to confirm the session closed</source>
        <translation>Beenden angeordnet um %1 — warte auf Bestätigung des Ressourcenservers, dass die Sitzung geschlossen ist</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="240"/>
        <source>%1 locked out at %2 — grants revoked: %3, introspection refusing; %4; new requests refused</source>
        <translation>%1 gesperrt um %2 — Zugriffe widerrufen: %3, Introspektion verweigert; %4; neue Anträge werden abgelehnt</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="244"/>
        <source>%1 locked out at %2 — waiting for the broker to confirm its grants ended…</source>
        <translation>%1 gesperrt um %2 — warte auf Bestätigung des Brokers, dass seine Zugriffe beendet sind…</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="247"/>
        <source>(pending requests denied: %1)</source>
        <translation>(offene Anträge abgelehnt: %1)</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="255"/>
        <source>enforcement pending on the target…</source>
        <translation>Durchsetzung auf dem Ziel ausstehend…</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="256"/>
        <source>enforcement pending on the target: %1</source>
        <translation>Durchsetzung auf dem Ziel ausstehend: %1</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="266"/>
        <source>verified: login refused at %1, %2 of %3 sessions gone</source>
        <translation>verifiziert: Anmeldung um %1 abgewiesen, %2 von %3 Sitzungen beendet</translation>
    </message>
    <message>
        <location filename="../models/console/EffectTracker.cpp" line="273"/>
        <source>not confirmed: %1</source>
        <translation>nicht bestätigt: %1</translation>
    </message>
</context>
<context>
    <name>lapse::EmbeddedBackend</name>
    <message>
        <location filename="../models/backend/EmbeddedBackend.cpp" line="23"/>
        <source>embedded: %1</source>
        <translation>eingebettet: %1</translation>
    </message>
    <message>
        <location filename="../models/backend/EmbeddedBackend.cpp" line="31"/>
        <source>the console identity &apos;%1&apos; is not in the directory</source>
        <translation>Die Identität der Konsole „%1“ steht nicht im Verzeichnis</translation>
    </message>
</context>
<context>
    <name>lapse::EvidenceExportDialog</name>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="51"/>
        <source>Export evidence pack</source>
        <translation>Nachweispaket exportieren</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="66"/>
        <source>to</source>
        <translation>bis</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="68"/>
        <source>(UTC, both days included)</source>
        <translation>(UTC, beide Tage eingeschlossen)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="79"/>
        <source>None checked: every target.</source>
        <translation>Keines angehakt: alle Ziele.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="82"/>
        <source>Humans</source>
        <translation>Menschen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="83"/>
        <source>Services</source>
        <translation>Dienste</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="83"/>
        <source>Workloads</source>
        <translation>Workloads</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="84"/>
        <source>Pipelines</source>
        <translation>Pipelines</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="84"/>
        <source>Agents</source>
        <translation>Agenten</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="91"/>
        <source>(none: every kind)</source>
        <translation>(keine: alle Arten)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="100"/>
        <source>How many grants to draw at random for the auditor to test</source>
        <translation>Wie viele Zugriffe für die Prüfung durch den Auditor zufällig gezogen werden</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="103"/>
        <source>random</source>
        <translation>zufällig</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="107"/>
        <source>The sample&apos;s seed: the same seed draws the same sample. Empty or 0: a random one, printed in the pack.</source>
        <translation>Startwert der Stichprobe: Derselbe Startwert zieht dieselbe Stichprobe. Leer oder 0: ein zufälliger, der im Paket vermerkt wird.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="112"/>
        <source>&amp;Browse…</source>
        <translation>&amp;Durchsuchen…</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="128"/>
        <source>&amp;Period:</source>
        <translation>&amp;Zeitraum:</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="129"/>
        <source>&amp;Targets:</source>
        <translation>Z&amp;iele:</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="131"/>
        <source>Identity kinds:</source>
        <translation>Identitätsarten:</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="132"/>
        <source>&amp;Sample size:</source>
        <translation>&amp;Stichprobengröße:</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="133"/>
        <source>See&amp;d:</source>
        <translation>Start&amp;wert:</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="134"/>
        <source>&amp;Folder:</source>
        <translation>&amp;Ordner:</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="135"/>
        <source>File:</source>
        <translation>Datei:</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="142"/>
        <source>&amp;Export</source>
        <translation>&amp;Exportieren</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="232"/>
        <source>The period ends before it starts: pick a last day on or after the first.</source>
        <translation>Der Zeitraum endet, bevor er beginnt: einen letzten Tag am oder nach dem ersten wählen.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="234"/>
        <source>The seed is too large: at most 20 digits below 18446744073709551616.</source>
        <translation>Der Startwert ist zu groß: höchstens 20 Ziffern und kleiner als 18446744073709551616.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="236"/>
        <source>The folder does not exist: pick one with Browse….</source>
        <translation>Der Ordner existiert nicht: einen mit „Durchsuchen…“ wählen.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="238"/>
        <source>The folder cannot be written to: pick another.</source>
        <translation>In den Ordner kann nicht geschrieben werden: einen anderen wählen.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="250"/>
        <source>%1 (exists; a complete new pack replaces it)</source>
        <translation>%1 (existiert; ein vollständiges neues Paket ersetzt sie)</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExportDialog.cpp" line="256"/>
        <source>Folder for the evidence pack</source>
        <translation>Ordner für das Nachweispaket</translation>
    </message>
</context>
<context>
    <name>lapse::EvidenceExporter</name>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="53"/>
        <source>Preparing the evidence pack…</source>
        <translation>Nachweispaket wird vorbereitet…</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="53"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="55"/>
        <location filename="../ui/EvidenceExporter.cpp" line="297"/>
        <source>Export evidence pack</source>
        <translation>Nachweispaket exportieren</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="85"/>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="91"/>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="96"/>
        <source>An evidence pack is built from a local copy of the event log, and none is open.</source>
        <translation>Ein Nachweispaket wird aus einer lokalen Kopie des Ereignisprotokolls erstellt, und keine ist geöffnet.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="100"/>
        <source>No report renderer is available.</source>
        <translation>Es ist kein Renderer für den Bericht verfügbar.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="105"/>
        <source>There is no backend to ask for the directory or log key.</source>
        <translation>Es gibt kein Backend, das nach dem Verzeichnis oder dem Protokollschlüssel gefragt werden kann.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="111"/>
        <source>Reading the directory…</source>
        <translation>Verzeichnis wird gelesen…</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="117"/>
        <source>The directory could not be read: %1</source>
        <translation>Das Verzeichnis konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="123"/>
        <source>The directory is not valid: %1</source>
        <translation>Das Verzeichnis ist ungültig: %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="133"/>
        <source>Reading the log key…</source>
        <translation>Protokollschlüssel wird gelesen…</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="140"/>
        <source>The log key could not be read: %1</source>
        <translation>Der Protokollschlüssel konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="148"/>
        <source>The log key is not valid: %1</source>
        <translation>Der Protokollschlüssel ist ungültig: %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="186"/>
        <source>Cancelled while waiting for %1.</source>
        <translation>Abgebrochen beim Warten auf %1.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="195"/>
        <source>Collecting the evidence…</source>
        <translation>Nachweise werden gesammelt…</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="201"/>
        <source>There is no backend to sign the manifest.</source>
        <translation>Es gibt kein Backend, das das Manifest signieren könnte.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="209"/>
        <source>The manifest is not compact JSON with sorted keys, so the broker would sign other bytes.</source>
        <translation>Das Manifest ist kein kompaktes JSON mit sortierten Schlüsseln; der Broker würde also andere Bytes signieren.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="217"/>
        <source>The broker did not sign the manifest: %1</source>
        <translation>Der Broker hat das Manifest nicht signiert: %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="231"/>
        <source>the report</source>
        <translation>den Bericht</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="235"/>
        <source>the manifest&apos;s signature</source>
        <translation>die Signatur des Manifests</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="258"/>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="270"/>
        <source>The build ended without an answer.</source>
        <translation>Die Erstellung endete ohne Ergebnis.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="300"/>
        <source>The evidence pack could not be made; nothing was written.</source>
        <translation>Das Nachweispaket konnte nicht erstellt werden; es wurde nichts geschrieben.</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="306"/>
        <source>The evidence pack is in %1</source>
        <translation>Das Nachweispaket liegt in %1</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="307"/>
        <source>%1 grants · %2 requests · %3 events · %4 exceptions
Sample: %5 grants, seed %6
Checkpoint: %7 events
Manifest SHA-256: %8</source>
        <translation>%1 Zugriffe · %2 Anträge · %3 Ereignisse · %4 Ausnahmen
Stichprobe: %5 Zugriffe, Startwert %6
Checkpoint: %7 Ereignisse
SHA-256 des Manifests: %8</translation>
    </message>
    <message>
        <location filename="../ui/EvidenceExporter.cpp" line="320"/>
        <source>Show &amp;folder</source>
        <translation>&amp;Ordner anzeigen</translation>
    </message>
</context>
<context>
    <name>lapse::EvidencePack</name>
    <message>
        <location filename="../models/evidence/EvidenceCollector.cpp" line="404"/>
        <source>reading the log</source>
        <translation>Protokoll wird gelesen</translation>
    </message>
    <message>
        <location filename="../models/evidence/EvidenceCollector.cpp" line="624"/>
        <source>collecting events and proofs</source>
        <translation>Ereignisse und Beweise werden gesammelt</translation>
    </message>
    <message>
        <location filename="../models/evidence/EvidenceCollector.cpp" line="846"/>
        <source>collected</source>
        <translation>gesammelt</translation>
    </message>
    <message>
        <location filename="../models/evidence/EvidencePack.cpp" line="543"/>
        <source>writing the files</source>
        <translation>Dateien werden geschrieben</translation>
    </message>
    <message>
        <location filename="../models/evidence/EvidencePack.cpp" line="574"/>
        <source>rendering the report</source>
        <translation>Bericht wird erstellt</translation>
    </message>
    <message>
        <location filename="../models/evidence/EvidencePack.cpp" line="583"/>
        <source>signing the manifest</source>
        <translation>Manifest wird signiert</translation>
    </message>
    <message>
        <location filename="../models/evidence/EvidencePack.cpp" line="611"/>
        <source>done</source>
        <translation>fertig</translation>
    </message>
</context>
<context>
    <name>lapse::GrantsModel</name>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="78"/>
        <source>break-glass (reviewed)</source>
        <translation>Notfallzugriff (geprüft)</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="78"/>
        <source>break-glass</source>
        <translation>Notfallzugriff</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="81"/>
        <source>approval</source>
        <translation>Genehmigung</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="85"/>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="90"/>
        <source>ended — enforcement pending</source>
        <translation>beendet — Durchsetzung ausstehend</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="92"/>
        <source>ending</source>
        <translation>läuft ab</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="129"/>
        <source>Ended; the target has not yet confirmed that its login is refused</source>
        <translation>Beendet; das Ziel hat noch nicht bestätigt, dass die Anmeldung abgewiesen wird</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="130"/>
        <source>Ended; the target has not yet confirmed that its login is refused: %1</source>
        <translation>Beendet; das Ziel hat noch nicht bestätigt, dass die Anmeldung abgewiesen wird: %1</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="133"/>
        <source>Break-glass access, not yet reviewed</source>
        <translation>Notfallzugriff, noch nicht geprüft</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="161"/>
        <source>Principal</source>
        <translation>Principal</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="163"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="165"/>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="167"/>
        <source>Privileges</source>
        <translation>Rechte</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="169"/>
        <source>Policy</source>
        <translation>Richtlinie</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="171"/>
        <source>Approvers</source>
        <translation>Genehmigende</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="173"/>
        <source>Started</source>
        <translation>Beginn</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="175"/>
        <source>Expires in</source>
        <translation>Läuft ab in</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="177"/>
        <source>Sessions</source>
        <translation>Sitzungen</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="191"/>
        <source>No backend to load grants from.</source>
        <translation>Kein Backend zum Laden der Zugriffe.</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="211"/>
        <source>Could not load active grants: %1</source>
        <translation>Aktive Zugriffe konnten nicht geladen werden: %1</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="240"/>
        <source>Could not load grants pending enforcement: %1</source>
        <translation>Berechtigungen mit ausstehender Durchsetzung konnten nicht geladen werden: %1</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="260"/>
        <source>Could not load sessions: %1</source>
        <translation>Sitzungen konnten nicht geladen werden: %1</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/GrantsModel.cpp" line="80"/>
        <source>rule %1</source>
        <translation>Regel %1</translation>
    </message>
</context>
<context>
    <name>lapse::InsightsView</name>
    <message>
        <location filename="../ui/InsightsView.cpp" line="53"/>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="54"/>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="55"/>
        <source>Last 90 days</source>
        <translation>Letzte 90 Tage</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="56"/>
        <source>All time</source>
        <translation>Gesamter Zeitraum</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="59"/>
        <source>All targets</source>
        <translation>Alle Ziele</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="61"/>
        <source>All kinds</source>
        <translation>Alle Arten</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="62"/>
        <source>Humans</source>
        <translation>Menschen</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="63"/>
        <source>Services</source>
        <translation>Dienste</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="63"/>
        <source>Workloads</source>
        <translation>Workloads</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="64"/>
        <source>Pipelines</source>
        <translation>Pipelines</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="64"/>
        <source>Agents</source>
        <translation>Agenten</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="66"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="67"/>
        <source>Evidence pack…</source>
        <translation>Nachweispaket…</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="69"/>
        <source>Export the grants and requests these filters select as an evidence pack</source>
        <translation>Die von diesen Filtern ausgewählten Zugriffe und Anträge als Nachweispaket exportieren</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="75"/>
        <source>Period:</source>
        <translation>Zeitraum:</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="77"/>
        <source>Target:</source>
        <translation>Ziel:</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="79"/>
        <source>Kind:</source>
        <translation>Art:</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="87"/>
        <source>Elevations per day</source>
        <translation>Erhöhungen pro Tag</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="89"/>
        <source>Grants by identity (click a bar for its grants)</source>
        <translation>Zugriffe nach Identität (Balken anklicken für ihre Zugriffe)</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="90"/>
        <source>Grant width</source>
        <translation>Breite der Zugriffe</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="92"/>
        <source>Lingering sessions and post-expiry uses per day</source>
        <translation>Nachlaufende Sitzungen und Nutzungen nach Ablauf pro Tag</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="94"/>
        <source>Revocation: time until sessions confirmed closed</source>
        <translation>Widerruf: Zeit bis zur bestätigten Schließung der Sitzungen</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="95"/>
        <source>How grants ended</source>
        <translation>Wie Zugriffe endeten</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="102"/>
        <location filename="../ui/InsightsView.cpp" line="131"/>
        <source>Identity</source>
        <translation>Identität</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="102"/>
        <location filename="../ui/InsightsView.cpp" line="131"/>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="102"/>
        <location filename="../ui/InsightsView.cpp" line="131"/>
        <source>Privileges</source>
        <translation>Rechte</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="102"/>
        <source>Times in 7 days</source>
        <translation>Anzahl in 7 Tagen</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="131"/>
        <source>Grant</source>
        <translation>Zugriff</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="131"/>
        <source>Started</source>
        <translation>Beginn</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="131"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="134"/>
        <source>Click a bar in “Grants by identity”, or double-click a candidate, to list the grants behind it.</source>
        <translation>Einen Balken in „Zugriffe nach Identität“ anklicken oder einen Kandidaten doppelklicken, um die zugehörigen Zugriffe aufzulisten.</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="141"/>
        <source>Redesign candidates: the same identity, privileges and target again and again — a narrow standing entitlement or a workload identity may serve better</source>
        <translation>Kandidaten für eine Neugestaltung: dieselbe Identität, dieselben Rechte, dasselbe Ziel immer wieder — eine enge dauerhafte Berechtigung oder eine Workload-Identität wäre womöglich besser</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="190"/>
        <source>PNG…</source>
        <translation>PNG…</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="191"/>
        <source>CSV…</source>
        <translation>CSV…</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="192"/>
        <source>Save this chart as a PNG image</source>
        <translation>Dieses Diagramm als PNG-Bild speichern</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="193"/>
        <source>Save the numbers behind this chart as CSV</source>
        <translation>Die Zahlen hinter diesem Diagramm als CSV speichern</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="196"/>
        <source>Save chart</source>
        <translation>Diagramm speichern</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="196"/>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="198"/>
        <location filename="../ui/InsightsView.cpp" line="204"/>
        <source>Could not write %1</source>
        <translation>%1 konnte nicht geschrieben werden</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="202"/>
        <source>Save data</source>
        <translation>Daten speichern</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="202"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="250"/>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="255"/>
        <source>Could not load insights: %1</source>
        <translation>Auswertungen konnten nicht geladen werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="260"/>
        <source>Updated %1</source>
        <translation>Aktualisiert %1</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="278"/>
        <source>%1 grants · %2 repeated-elevation candidates · %3 privileges beyond declared minimums · %4 lingering sessions · %5 post-expiry uses · %6 of %7 records complete</source>
        <translation>%1 Zugriffe · %2 Kandidaten wiederholter Erhöhung · %3 Rechte über angegebene Minima hinaus · %4 nachlaufende Sitzungen · %5 Nutzungen nach Ablauf · %6 von %7 Einträgen vollständig</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="85"/>
        <location filename="../ui/InsightCharts.cpp" line="103"/>
        <source>grants</source>
        <translation>Zugriffe</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="86"/>
        <source>break-glass</source>
        <translation>Notfallzugriff</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="108"/>
        <source>beyond minimum</source>
        <translation>über dem Minimum</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="109"/>
        <source>narrowed grants</source>
        <translation>eingeschränkte Zugriffe</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="110"/>
        <source>never used</source>
        <translation>nie genutzt</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="112"/>
        <source>count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="121"/>
        <source>lingering sessions</source>
        <translation>nachlaufende Sitzungen</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="122"/>
        <source>post-expiry uses</source>
        <translation>Nutzungen nach Ablauf</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="133"/>
        <source>introspection</source>
        <translation>Introspektion</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="134"/>
        <source>sessions p50</source>
        <translation>Sitzungen p50</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="135"/>
        <source>sessions p99</source>
        <translation>Sitzungen p99</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="137"/>
        <source>target p50</source>
        <translation>Ziel p50</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="138"/>
        <source>target p99</source>
        <translation>Ziel p99</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="140"/>
        <location filename="../ui/InsightCharts.cpp" line="142"/>
        <source>seconds</source>
        <translation>Sekunden</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="143"/>
        <source>%1 revocations, %2 with sessions still unconfirmed</source>
        <translation>%1 Widerrufe, %2 mit noch unbestätigten Sitzungen</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="149"/>
        <source>targets: %1 ends verified, %2 pending</source>
        <translation>Ziele: %1 Enden verifiziert, %2 ausstehend</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="163"/>
        <source>completed %1</source>
        <translation>abgeschlossen %1</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="164"/>
        <source>expired %1</source>
        <translation>abgelaufen %1</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="165"/>
        <source>revoked %1</source>
        <translation>widerrufen %1</translation>
    </message>
    <message>
        <location filename="../ui/InsightCharts.cpp" line="169"/>
        <source>%1 break-glass · used %2 of %3 approved hours · %4 of %5 records complete</source>
        <translation>%1 Notfallzugriffe · %2 von %3 genehmigten Stunden genutzt · %4 von %5 Einträgen vollständig</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="355"/>
        <source>Grants of %1</source>
        <translation>Zugriffe von %1</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="362"/>
        <source>Could not list the grants of %1: %2</source>
        <translation>Die Zugriffe von %1 konnten nicht aufgelistet werden: %2</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="377"/>
        <source>Grants of %1: %2</source>
        <translation>Zugriffe von %1: %2</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="109"/>
        <location filename="../ui/InsightsView.cpp" line="124"/>
        <source>Draft rule…</source>
        <translation>Regel entwerfen…</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="112"/>
        <source>Propose a policy rule that approves what the selected candidate keeps asking for</source>
        <translation>Eine Richtlinienregel vorschlagen, die genehmigt, worum der gewählte Kandidat immer wieder bittet</translation>
    </message>
    <message>
        <location filename="../ui/InsightsView.cpp" line="125"/>
        <source>List its grants</source>
        <translation>Seine Zugriffe auflisten</translation>
    </message>
</context>
<context>
    <name>lapse::KeyDialog</name>
    <message>
        <location filename="../ui/KeyDialog.cpp" line="10"/>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <location filename="../ui/KeyDialog.cpp" line="11"/>
        <source>Enter the API key for %1. It is kept for this session only and never saved.</source>
        <translation>Geben Sie den API-Schlüssel für %1 ein. Er gilt nur für diese Sitzung und wird nie gespeichert.</translation>
    </message>
    <message>
        <location filename="../ui/KeyDialog.cpp" line="15"/>
        <source>lapse_…</source>
        <translation>lapse_…</translation>
    </message>
    <message>
        <location filename="../ui/KeyDialog.cpp" line="12"/>
        <source>&amp;Key:</source>
        <translation>&amp;Schlüssel:</translation>
    </message>
    <message>
        <location filename="../ui/KeyDialog.cpp" line="12"/>
        <source>&amp;Connect</source>
        <translation>&amp;Verbinden</translation>
    </message>
</context>
<context>
    <name>lapse::MainWindow</name>
    <message>
        <location filename="../ui/MainWindow.cpp" line="43"/>
        <source>Lapse — just-in-time access console</source>
        <translation>Lapse — Konsole für Just-in-time-Zugriff</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="68"/>
        <source>&amp;Queue</source>
        <translation>&amp;Warteschlange</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="69"/>
        <source>A&amp;ctive</source>
        <translation>A&amp;ktiv</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="73"/>
        <location filename="../ui/MainWindow.cpp" line="78"/>
        <source>Audit &amp;log</source>
        <translation>Prüf&amp;protokoll</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="76"/>
        <source>The audit log needs a local copy of the event log; none is open.</source>
        <translation>Das Prüfprotokoll braucht eine lokale Kopie des Ereignisprotokolls; keine ist geöffnet.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="81"/>
        <source>&amp;Insights</source>
        <translation>&amp;Auswertungen</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="83"/>
        <source>Re&amp;views</source>
        <translation>Prü&amp;fungen</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="97"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="98"/>
        <source>Export &amp;evidence pack…</source>
        <translation>&amp;Nachweispaket exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="103"/>
        <source>An evidence pack needs a local copy of the event log; none is open.</source>
        <translation>Ein Nachweispaket braucht eine lokale Kopie des Ereignisprotokolls; keine ist geöffnet.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="104"/>
        <source>Export the grants and requests of a period as one zip an auditor verifies offline</source>
        <translation>Die Zugriffe und Anträge eines Zeitraums als ein ZIP-Archiv exportieren, das ein Auditor offline prüft</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="142"/>
        <source>Could not load the queue: %1</source>
        <translation>Die Warteschlange konnte nicht geladen werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="177"/>
        <source>acting as %1 (%2) · %3</source>
        <translation>handelt als %1 (%2) · %3</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="185"/>
        <source>Could not load the directory: %1</source>
        <translation>Das Verzeichnis konnte nicht geladen werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="208"/>
        <source>Could not read the event log: %1</source>
        <translation>Das Ereignisprotokoll konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="336"/>
        <source>● Live</source>
        <translation>● Live</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="342"/>
        <source>Connecting…</source>
        <translation>Verbinde…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="346"/>
        <source>Connecting to the broker. What you see may be out of date; decisions are disabled until the connection is live.</source>
        <translation>Verbindung zum Broker wird aufgebaut. Die Anzeige kann veraltet sein; Entscheidungen sind gesperrt, bis die Verbindung live ist.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="350"/>
        <source>Reconnecting…</source>
        <translation>Verbinde erneut…</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="353"/>
        <source>Connection to the broker lost — reconnecting. Everything shown is as of event %1 and may be out of date; decisions are disabled and never queued.</source>
        <translation>Verbindung zum Broker verloren — verbinde erneut. Alles Angezeigte entspricht dem Stand von Ereignis %1 und kann veraltet sein; Entscheidungen sind gesperrt und werden nie vorgemerkt.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="358"/>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="362"/>
        <source>Offline — the broker cannot be reached. Everything shown is as of event %1 and may be out of date; decisions are disabled and never queued.</source>
        <translation>Offline — der Broker ist nicht erreichbar. Alles Angezeigte entspricht dem Stand von Ereignis %1 und kann veraltet sein; Entscheidungen sind gesperrt und werden nie vorgemerkt.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="385"/>
        <source>last event #%1</source>
        <translation>letztes Ereignis #%1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="111"/>
        <source>&amp;Notifications</source>
        <translation>&amp;Benachrichtigungen</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="200"/>
        <source>Notifications are off: the directory is not valid: %1</source>
        <translation>Benachrichtigungen sind aus: das Verzeichnis ist ungültig: %1</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="234"/>
        <source>Request %1 is no longer pending.</source>
        <translation>Anfrage %1 ist nicht mehr offen.</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="242"/>
        <source>No targets yet</source>
        <translation>Noch keine Ziele</translation>
    </message>
    <message>
        <location filename="../ui/MainWindow.cpp" line="245"/>
        <source>Mute new requests for</source>
        <translation>Neue Anfragen stummschalten für</translation>
    </message>
</context>
<context>
    <name>lapse::PgCluster</name>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="113"/>
        <source>%1 could not be started: %2</source>
        <translation>%1 konnte nicht gestartet werden: %2</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="123"/>
        <source>%1 did not finish within %2 s</source>
        <translation>%1 wurde nicht innerhalb von %2 s fertig</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="129"/>
        <source>%1 crashed</source>
        <translation>%1 ist abgestürzt</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="143"/>
        <source> (exit code %1)</source>
        <translation> (Exit-Code %1)</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="163"/>
        <location filename="../models/enforcement/PgCluster.cpp" line="477"/>
        <location filename="../models/enforcement/PgCluster.cpp" line="592"/>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="168"/>
        <location filename="../models/enforcement/PgCluster.cpp" line="339"/>
        <source>cannot hand %1 to the postgres user: %2</source>
        <translation>%1 kann nicht an den Benutzer postgres übergeben werden: %2</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="287"/>
        <source>No PostgreSQL server is installed: initdb, pg_ctl and postgres were not found in /usr/lib/postgresql/15/bin, `pg_config --bindir` or /usr/lib/postgresql/*/bin. Install the postgresql package.</source>
        <translation>Kein PostgreSQL-Server installiert: initdb, pg_ctl und postgres wurden weder in /usr/lib/postgresql/15/bin noch unter `pg_config --bindir` oder /usr/lib/postgresql/*/bin gefunden. Installieren Sie das Paket postgresql.</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="291"/>
        <source>PostgreSQL&apos;s psql was not found in %1. Install the postgresql-client package.</source>
        <translation>psql von PostgreSQL wurde in %1 nicht gefunden. Installieren Sie das Paket postgresql-client.</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="294"/>
        <source>Running as root, and there is no &quot;postgres&quot; user to run the server as (PostgreSQL refuses to run as root). Run as an ordinary user, or create the postgres user.</source>
        <translation>Läuft als root, und es gibt keinen Benutzer &quot;postgres&quot;, unter dem der Server laufen kann (PostgreSQL verweigert den Betrieb als root). Starten Sie als gewöhnlicher Benutzer oder legen Sie den Benutzer postgres an.</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="297"/>
        <source>Running as root, and runuser (util-linux) was not found to run the server as the postgres user. Run as an ordinary user, or install util-linux.</source>
        <translation>Läuft als root, und runuser (util-linux) wurde nicht gefunden, um den Server als Benutzer postgres zu starten. Starten Sie als gewöhnlicher Benutzer oder installieren Sie util-linux.</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="316"/>
        <source>%1 is not a TCP port</source>
        <translation>%1 ist kein TCP-Port</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="321"/>
        <source>cannot create %1</source>
        <translation>%1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="325"/>
        <source>%1 is too long a path for PostgreSQL&apos;s unix socket (at most 107 bytes); choose a shorter directory</source>
        <translation>%1 ist ein zu langer Pfad für den Unix-Socket von PostgreSQL (höchstens 107 Bytes); wählen Sie ein kürzeres Verzeichnis</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="334"/>
        <source>The postgres user cannot reach %1: %2 is not traversable by it. Make it so (chmod o+x, or 0711) or choose a directory elsewhere.</source>
        <translation>Der Benutzer postgres erreicht %1 nicht: %2 ist für ihn nicht durchquerbar. Ändern Sie das (chmod o+x oder 0711) oder wählen Sie ein anderes Verzeichnis.</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="352"/>
        <source>%1 holds a cluster but its superuser password (%2) is missing; remove the directory to start afresh</source>
        <translation>%1 enthält einen Cluster, aber dessen Superuser-Passwort (%2) fehlt; entfernen Sie das Verzeichnis, um neu zu beginnen</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="368"/>
        <source>initdb failed for %1</source>
        <translation>initdb ist für %1 fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="382"/>
        <source>no free TCP port on 127.0.0.1</source>
        <translation>kein freier TCP-Port auf 127.0.0.1</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="470"/>
        <source>cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="486"/>
        <source>(no server log at %1)</source>
        <translation>(kein Serverprotokoll unter %1)</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="493"/>
        <source>Last lines of %1:
%2</source>
        <translation>Letzte Zeilen von %1:
%2</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="508"/>
        <source>PostgreSQL did not start on 127.0.0.1:%1</source>
        <translation>PostgreSQL ist auf 127.0.0.1:%1 nicht gestartet</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="531"/>
        <source>PostgreSQL on 127.0.0.1:%1 did not stop</source>
        <translation>PostgreSQL auf 127.0.0.1:%1 hat nicht angehalten</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="555"/>
        <source>psql failed</source>
        <translation>psql ist fehlgeschlagen</translation>
    </message>
    <message>
        <location filename="../models/enforcement/PgCluster.cpp" line="571"/>
        <source>cannot read %1</source>
        <translation>%1 kann nicht gelesen werden</translation>
    </message>
</context>
<context>
    <name>lapse::QueueWidget</name>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="54"/>
        <source>All targets</source>
        <translation>Alle Ziele</translation>
    </message>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="58"/>
        <source>All kinds</source>
        <translation>Alle Arten</translation>
    </message>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="59"/>
        <source>Humans</source>
        <translation>Menschen</translation>
    </message>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="60"/>
        <source>Services</source>
        <translation>Dienste</translation>
    </message>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="61"/>
        <source>Workloads</source>
        <translation>Workloads</translation>
    </message>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="62"/>
        <source>Pipelines</source>
        <translation>Pipelines</translation>
    </message>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="63"/>
        <source>Agents</source>
        <translation>Agenten</translation>
    </message>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="67"/>
        <source>Filter by requester, owner, task, reason, ticket…</source>
        <translation>Nach Antragsteller, Verantwortlichem, Aufgabe, Grund, Ticket filtern…</translation>
    </message>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="69"/>
        <source>Target:</source>
        <translation>Ziel:</translation>
    </message>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="71"/>
        <source>Kind:</source>
        <translation>Art:</translation>
    </message>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="283"/>
        <source>This request left the queue: it was decided elsewhere (another approver, the policy) or expired unreviewed.</source>
        <translation>Dieser Antrag hat die Warteschlange verlassen: anderswo entschieden (andere genehmigende Person, Richtlinie) oder ungeprüft verfallen.</translation>
    </message>
    <message>
        <location filename="../ui/QueueWidget.cpp" line="289"/>
        <source>%1 of %2 pending</source>
        <translation>%1 von %2 offen</translation>
    </message>
</context>
<context>
    <name>lapse::RemoteBackend</name>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="30"/>
        <source>no PEM certificate in %1</source>
        <translation>Kein PEM-Zertifikat in %1</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="68"/>
        <source>the broker&apos;s TLS certificate is not trusted (%1); give its CA with --ca</source>
        <translation>Das TLS-Zertifikat des Brokers ist nicht vertrauenswürdig (%1); seine CA mit --ca angeben</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="70"/>
        <source>no answer in time</source>
        <translation>keine Antwort in der vorgesehenen Zeit</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="71"/>
        <source>broker unreachable: %1</source>
        <translation>Broker nicht erreichbar: %1</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="78"/>
        <source>HTTP %1</source>
        <translation>HTTP %1</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="82"/>
        <source>the broker answered a redirect (HTTP %1); use its final URL</source>
        <translation>Der Broker antwortete mit einer Umleitung (HTTP %1); seine endgültige URL verwenden</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="116"/>
        <location filename="../models/backend/RemoteBackend.cpp" line="148"/>
        <location filename="../models/backend/RemoteBackend.cpp" line="229"/>
        <source>refusing %1: use https://, plain http only to a loopback address</source>
        <translation>%1 abgelehnt: https:// verwenden, unverschlüsseltes http nur zu einer Loopback-Adresse</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="123"/>
        <source>broker unreachable; reconnecting</source>
        <translation>Broker nicht erreichbar; verbinde erneut</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="166"/>
        <source>the broker answered JSON where text was expected</source>
        <translation>der Broker antwortete mit JSON, wo Text erwartet wurde</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="284"/>
        <source>%1 — retrying in %2 s</source>
        <translation>%1 — neuer Versuch in %2 s</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="295"/>
        <source>the broker refused the event log: %1</source>
        <translation>Der Broker verweigert das Ereignisprotokoll: %1</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="310"/>
        <source>the broker has no event %1 to resume from; its log is shorter than this console&apos;s</source>
        <translation>Der Broker hat kein Ereignis %1 zum Fortsetzen; sein Protokoll ist kürzer als das dieser Konsole</translation>
    </message>
    <message>
        <location filename="../models/backend/RemoteBackend.cpp" line="331"/>
        <source>the broker&apos;s event log breaks at event %1: %2</source>
        <translation>Das Ereignisprotokoll des Brokers bricht bei Ereignis %1: %2</translation>
    </message>
</context>
<context>
    <name>lapse::RequestQueueModel</name>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="376"/>
        <source>%1 (+%2)</source>
        <translation>%1 (+%2)</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="389"/>
        <source>due</source>
        <translation>fällig</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="421"/>
        <source>No minimum declared</source>
        <translation>Kein Minimum angegeben</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="421"/>
        <source>Minimum needed: %1</source>
        <translation>Nötiges Minimum: %1</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="450"/>
        <source>Requester</source>
        <translation>Antragsteller</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="452"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="454"/>
        <source>Owner</source>
        <translation>Verantwortlich</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="456"/>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="458"/>
        <source>Privileges</source>
        <translation>Rechte</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="460"/>
        <source>Width</source>
        <translation>Breite</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="462"/>
        <source>Task</source>
        <translation>Aufgabe</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="464"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="466"/>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="468"/>
        <source>TTL</source>
        <translation>TTL</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="470"/>
        <source>Waiting</source>
        <translation>Wartet</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="472"/>
        <source>Expires in</source>
        <translation>Läuft ab in</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="628"/>
        <source>No backend to load the queue from.</source>
        <translation>Kein Backend zum Laden der Warteschlange.</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/RequestQueueModel.cpp" line="642"/>
        <source>Could not load the queue: %1</source>
        <translation>Die Warteschlange konnte nicht geladen werden: %1</translation>
    </message>
</context>
<context>
    <name>lapse::ReviewDialog</name>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="42"/>
        <source>Access review</source>
        <translation>Zugriffsprüfung</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="43"/>
        <source>Record the decision on %1: %2. Say why; the comment goes into the log and the evidence pack.</source>
        <translation>Entscheidung zu %1 erfassen: %2. Begründen Sie sie; der Kommentar geht ins Protokoll und ins Nachweispaket.</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="45"/>
        <source>&amp;Comment:</source>
        <translation>&amp;Kommentar:</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="53"/>
        <source>Keep just-in-time</source>
        <translation>Just-in-time beibehalten</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="55"/>
        <source>Convert to a rule</source>
        <translation>In eine Regel überführen</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="56"/>
        <source>Standing entitlement outside Lapse</source>
        <translation>Dauerhafte Berechtigung außerhalb von Lapse</translation>
    </message>
</context>
<context>
    <name>lapse::ReviewsWidget</name>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="65"/>
        <source>Identities that keep asking for the same access. For each, its owner decides: keep asking just in time, convert it to a policy rule, or grant a narrow standing entitlement outside Lapse.</source>
        <translation>Identitäten, die immer wieder denselben Zugriff anfragen. Für jede entscheidet ihre verantwortliche Person: weiter just in time anfragen, in eine Richtlinienregel überführen oder eine enge dauerhafte Berechtigung außerhalb von Lapse vergeben.</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="75"/>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="76"/>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="77"/>
        <source>Last 90 days</source>
        <translation>Letzte 90 Tage</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="78"/>
        <source>All time</source>
        <translation>Gesamter Zeitraum</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="80"/>
        <source>&amp;Period:</source>
        <translation>&amp;Zeitraum:</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="84"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="93"/>
        <source>Identity</source>
        <translation>Identität</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="93"/>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="93"/>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="93"/>
        <source>Privileges</source>
        <translation>Rechte</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="94"/>
        <source>Grants</source>
        <translation>Zugriffe</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="94"/>
        <source>Decided by</source>
        <translation>Entscheidet</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="94"/>
        <source>Covered by rule</source>
        <translation>Durch Regel abgedeckt</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="94"/>
        <source>Decision</source>
        <translation>Entscheidung</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="105"/>
        <source>&amp;Keep just-in-time…</source>
        <translation>Just-in-time &amp;beibehalten…</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="105"/>
        <source>Convert to a &amp;rule…</source>
        <translation>In eine &amp;Regel überführen…</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="105"/>
        <source>&amp;Standing entitlement…</source>
        <translation>&amp;Dauerhafte Berechtigung…</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="140"/>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="146"/>
        <source>Cannot load the reviews: %1</source>
        <translation>Die Prüfungen können nicht geladen werden: %1</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="168"/>
        <source>undecided</source>
        <translation>offen</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="169"/>
        <source>%1 by %2, %3: %4</source>
        <translation>%1 durch %2, %3: %4</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="178"/>
        <source>an admin</source>
        <translation>Admin</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="191"/>
        <source>%1 candidates, %2 undecided</source>
        <translation>%1 Kandidaten, %2 offen</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="220"/>
        <source>Recording the decision…</source>
        <translation>Die Entscheidung wird erfasst…</translation>
    </message>
    <message>
        <location filename="../ui/ReviewsWidget.cpp" line="223"/>
        <source>The decision was not recorded: %1</source>
        <translation>Die Entscheidung wurde nicht erfasst: %1</translation>
    </message>
</context>
<context>
    <name>lapse::RuleDraftDialog</name>
    <message>
        <location filename="../ui/RuleDraftDialog.cpp" line="23"/>
        <source>Draft rule for %1 on %2</source>
        <translation>Regelentwurf für %1 auf %2</translation>
    </message>
    <message>
        <location filename="../ui/RuleDraftDialog.cpp" line="27"/>
        <source>An approve rule for what %1 keeps asking for on %2, shaped by its grants over the period. Review it, add it to the &quot;rules&quot; of the directory file, then check it with the command below.</source>
        <translation>Eine Genehmigungsregel für das, worum %1 auf %2 immer wieder bittet, geformt aus den Zugriffen des Zeitraums. Prüfen Sie sie, fügen Sie sie den &quot;rules&quot; der Verzeichnisdatei hinzu und testen Sie sie dann mit dem Befehl unten.</translation>
    </message>
    <message>
        <location filename="../ui/RuleDraftDialog.cpp" line="32"/>
        <source>Reading the grants of %1 on %2…</source>
        <translation>Die Zugriffe von %1 auf %2 werden gelesen…</translation>
    </message>
    <message>
        <location filename="../ui/RuleDraftDialog.cpp" line="55"/>
        <source>Copy co&amp;mmand</source>
        <translation>Be&amp;fehl kopieren</translation>
    </message>
    <message>
        <location filename="../ui/RuleDraftDialog.cpp" line="62"/>
        <source>&amp;Copy rule</source>
        <translation>Regel &amp;kopieren</translation>
    </message>
    <message>
        <location filename="../ui/RuleDraftDialog.cpp" line="64"/>
        <source>Copy the rule&apos;s JSON to the clipboard and close (Enter)</source>
        <translation>Das JSON der Regel in die Zwischenablage kopieren und schließen (Eingabe)</translation>
    </message>
    <message>
        <location filename="../ui/RuleDraftDialog.cpp" line="76"/>
        <source>Check it against the directory file:</source>
        <translation>Gegen die Verzeichnisdatei prüfen:</translation>
    </message>
    <message>
        <location filename="../ui/RuleDraftDialog.cpp" line="89"/>
        <source>No rule to draft: %1</source>
        <translation>Keine Regel zu entwerfen: %1</translation>
    </message>
    <message>
        <location filename="../ui/RuleDraftDialog.cpp" line="107"/>
        <source>Over the period it would have approved %1 of %2 grants; %3 over the daily budget; %4 asked for more than it allows.</source>
        <translation>Im Zeitraum hätte sie %1 von %2 Zugriffen genehmigt; %3 über dem Tagesbudget; %4 baten um mehr, als sie erlaubt.</translation>
    </message>
    <message>
        <location filename="../ui/RuleDraftDialog.cpp" line="114"/>
        <source>%1 break-glass (never a rule&apos;s to approve).</source>
        <translation>%1 Notfallzugriffe (nie Sache einer Regel).</translation>
    </message>
    <message>
        <location filename="../ui/RuleDraftDialog.cpp" line="117"/>
        <source>%1 refused for another reason (a ticket its pattern does not accept).</source>
        <translation>%1 aus anderem Grund abgelehnt (ein Ticket, das ihr Muster nicht annimmt).</translation>
    </message>
</context>
<context>
    <name>lapse::SessionsModel</name>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="56"/>
        <source>%1 backend %2 from %3</source>
        <translation>%1 Backend %2 von %3</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="63"/>
        <source>lingering, ordered closed</source>
        <translation>nachlaufend, Schließen angeordnet</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="63"/>
        <source>lingering</source>
        <translation>nachlaufend</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="64"/>
        <source>live, ordered closed</source>
        <translation>live, Schließen angeordnet</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="64"/>
        <source>live</source>
        <translation>live</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="100"/>
        <source>Still open %1 after its grant ended</source>
        <translation>Noch %1 offen nach Ende des Zugriffs</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="124"/>
        <source>Session</source>
        <translation>Sitzung</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="126"/>
        <source>Principal</source>
        <translation>Principal</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="128"/>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="130"/>
        <source>Resource server</source>
        <translation>Ressourcenserver</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="132"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="134"/>
        <source>Opened</source>
        <translation>Geöffnet</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="136"/>
        <source>Grant ended</source>
        <translation>Zugriff beendet</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="138"/>
        <source>Lingering</source>
        <translation>Nachlauf</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="146"/>
        <source>No backend to load sessions from.</source>
        <translation>Kein Backend zum Laden der Sitzungen.</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/SessionsModel.cpp" line="160"/>
        <source>Could not load sessions: %1</source>
        <translation>Sitzungen konnten nicht geladen werden: %1</translation>
    </message>
</context>
<context>
    <name>lapse::TimeFormat</name>
    <message>
        <location filename="../models/itemmodels/TimeFormat.cpp" line="19"/>
        <source>%1s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/TimeFormat.cpp" line="21"/>
        <source>%1m %2s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/TimeFormat.cpp" line="25"/>
        <source>%1h %2m</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location filename="../models/itemmodels/TimeFormat.cpp" line="28"/>
        <source>%1d %2h</source>
        <translation>%1 T %2 h</translation>
    </message>
</context>
</TS>
