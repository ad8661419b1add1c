// Common words of the languages the prompt corpus (corpus.ts) writes prose
// in, written for this project. A generator strings them together with each
// script's own spacing and punctuation; real tokenizers see ordinary
// vocabulary, as in real prompts.

export interface Language {
  /** Corpus class the prose belongs to. */
  group: string;
  words: string[];
  /** Written without spaces between words (Chinese, Japanese, Thai). */
  unspaced?: boolean;
  /** Sentence end and clause separator. */
  stop: string;
  comma: string;
}

const split = (s: string) => s.trim().split(/\s+/);

export const LANGUAGES: Record<string, Language> = {
  english: {
    group: "english",
    stop: ".",
    comma: ",",
    words: split(`the of and to in is that for it as was with be by on not he this are or his from at which but have an they
      you were her she there would their we him been has when who will more no if out so said what up its about into than them can
      only other new some could time these two may then do first any my now such like our over man me even most made after also did
      many before must through back years where much your way well down should because each just those people how too little state
      good very make world still own see men work long get here between both life being under never day same another know while last
      might us great old year off come since against go came right used take three request model budget token window limit answer
      question summary document customer invoice weather schedule meeting report engineer quickly carefully approximately
      internationalization responsibilities misunderstanding infrastructure configuration authentication`),
  },
  french: {
    group: "latin-languages",
    stop: ".",
    comma: ",",
    words: split(`le la les un une des et est dans pour que qui pas sur avec ce il elle nous vous ils sont été être avoir fait
      plus comme mais tout bien où très aussi même peut deux année jour temps monde vie homme femme enfant maison ville pays
      travail question réponse économie société développement gouvernement été hiver printemps automne déjà très français
      élève théâtre fenêtre château forêt hôpital garçon leçon reçu façon naïf Noël cœur sœur œuvre`),
  },
  german: {
    group: "latin-languages",
    stop: ".",
    comma: ",",
    words: split(`der die das und ist nicht ein eine zu den von mit sich des auf für im dem auch es an als wird werden
      aus er hat dass sie nach bei um am sind noch wie einem über einen so zum war haben nur oder aber vor zur bis mehr durch
      Straße Mädchen Grüße schön größer Übung Bäume Äpfel Öffnung natürlich Geschwindigkeitsbegrenzung Donaudampfschifffahrt
      Rechtsschutzversicherung Bundesregierung Wirtschaft Entwicklung Gesellschaft Verantwortung Zusammenarbeit Anfrage`),
  },
  spanish: {
    group: "latin-languages",
    stop: ".",
    comma: ",",
    words: split(`el la los las de que y en un una es por con no se para su al lo como más pero sus le ya o este sí porque
      esta entre cuando muy sin sobre también me hasta hay donde quien desde todo nos durante todos uno les ni contra otros
      año niño señor mañana corazón canción información comunicación público música rápido árbol según después además
      ¿Dónde ¿Qué ¡Hola pregunta respuesta empresa gobierno desarrollo`),
  },
  portuguese: {
    group: "latin-languages",
    stop: ".",
    comma: ",",
    words: split(`o a os as de que e do da em um para é com não uma no na por mais se como mas foi ao ele das tem à seu
      sua ou ser quando muito há nos já está eu também só pelo pela até isso ela entre era depois sem mesmo aos ter seus
      coração ação informação são irmão pão mãe avó você também família trabalho educação saúde governo empresa pergunta`),
  },
  italian: {
    group: "latin-languages",
    stop: ".",
    comma: ",",
    words: split(`il di che e la in un per è non una sono mi si ma lo ha le con ti i da se no come io ci questo qui hai
      bene tu del sei mio cosa me solo era anche più perché molto città università già così però caffè virtù sarà
      giorno lavoro famiglia governo società sviluppo domanda risposta`),
  },
  polish: {
    group: "latin-diacritics",
    stop: ".",
    comma: ",",
    words: split(`i w nie na się z do to że jest o jak ale po co tak za od jego już tylko przez może być był jej było
      jeszcze są mnie tego ich gdy nawet czy bardzo który która które również będzie więc żeby źródło łódź gęś zażółć
      gęślą jaźń książka pięć dziękuję wiadomość rozwój społeczeństwo odpowiedź pytanie przedsiębiorstwo`),
  },
  turkish: {
    group: "latin-diacritics",
    stop: ".",
    comma: ",",
    words: split(`bir ve bu da de için ile çok ne o ben sen ama daha gibi var yok olan kadar sonra şey her değil mi
      büyük küçük güzel iyi kötü yeni eski gün yıl zaman insan çocuk kadın adam ev şehir ülke iş soru cevap
      öğrenci öğretmen üniversite ağaç çiçek kağıt ışık ığdır şükran gözlük çalışmak konuşmak yapılandırma`),
  },
  vietnamese: {
    group: "latin-diacritics",
    stop: ".",
    comma: ",",
    words: split(`và của là có trong được cho không một những người này với các đã đến khi như để về từ ra nhiều
      năm nước Việt Nam thành phố Hà Nội hôm nay ngày mai chúng tôi bạn học sinh giáo viên câu hỏi trả lời
      công ty chính phủ phát triển kinh tế xã hội thời tiết nhưng cũng rất đẹp tiếng`),
  },
  czech: {
    group: "latin-diacritics",
    stop: ".",
    comma: ",",
    words: split(`a v se na je že to s z do o ve jsem k ale by jako jak za tak pro co už jen bylo když jsou ještě
      který která které řeka čeština žluťoučký kůň úpěl ďábelské ódy příliš středa čtvrtek dotaz odpověď vývoj`),
  },
  russian: {
    group: "cyrillic",
    stop: ".",
    comma: ",",
    words: split(`и в не на я быть он с что а по это она этот к но они мы как из у который то за свой весь год от так
      о для ты же все тот мочь вы человек такой его сказать только или еще бы себя один как уже до время если сам
      когда другой вот говорить наш мой знать стать при чтобы дело жизнь первый день тут вопрос ответ запрос модель
      правительство развитие экономика общество информация пожалуйста здравствуйте достопримечательность`),
  },
  ukrainian: {
    group: "cyrillic",
    stop: ".",
    comma: ",",
    words: split(`і в не на що я з він як це та до але вона так ми від ти за вони був бути його це її є їх мені
      україна київ місто країна робота питання відповідь розвиток уряд суспільство дякую будь ласка їжак ґанок`),
  },
  greek: {
    group: "greek",
    stop: ".",
    comma: ",",
    words: split(`και το να η του ο την με που σε τα για δεν θα είναι από τη των τον στο ένα στην μια τους αλλά
      ότι όπως πολύ μετά όταν εδώ έχει έτσι καλά ημέρα χρόνος άνθρωπος πόλη χώρα εργασία ερώτηση απάντηση
      κυβέρνηση ανάπτυξη οικονομία κοινωνία ευχαριστώ παρακαλώ Ελλάδα Αθήνα θάλασσα ουρανός`),
  },
  arabic: {
    group: "arabic",
    stop: ".",
    comma: "،",
    words: split(`في من على أن إلى عن مع هذا هذه كان التي الذي ما لا هو هي كل بعد قد بين عند حتى أو ثم كما
      يوم سنة وقت الناس العالم مدينة بلد عمل سؤال جواب الحكومة التنمية الاقتصاد المجتمع شكرا من فضلك
      مرحبا العربية اللغة الكتاب المدرسة الطالب المعلم الشركة المعلومات التكنولوجيا الاستراتيجية`),
  },
  persian: {
    group: "arabic",
    stop: ".",
    comma: "،",
    words: split(`و در به از که این را با است برای آن یک خود تا کرد بر هم نیز شده می شود گفت ما ایران تهران کار
      پرسش پاسخ دولت توسعه اقتصاد جامعه سپاس لطفا زبان فارسی کتاب`),
  },
  hebrew: {
    group: "hebrew",
    stop: ".",
    comma: ",",
    words: split(`של את על לא זה הוא היא אני אם גם כל מה יש עם אבל כי או רק היה הם אנחנו אתה שלום תודה בבקשה
      יום שנה זמן אנשים עולם עיר ארץ עבודה שאלה תשובה ממשלה פיתוח כלכלה חברה ירושלים ישראל ספר בית ספר`),
  },
  hindi: {
    group: "indic",
    stop: "।",
    comma: ",",
    words: split(`और का की के में है यह से को पर एक था कि ने हैं भी नहीं तो वह हो इस कर जो कुछ मैं आप हम वे
      दिन साल समय लोग दुनिया शहर देश काम सवाल जवाब सरकार विकास अर्थव्यवस्था समाज धन्यवाद कृपया नमस्ते
      भारत हिन्दी भाषा किताब विद्यालय छात्र अध्यापक जानकारी प्रौद्योगिकी`),
  },
  bengali: {
    group: "indic",
    stop: "।",
    comma: ",",
    words: split(`এবং এই একটি হয় করে না তার থেকে জন্য সঙ্গে আমি আমরা তুমি আপনি তারা দিন বছর সময় মানুষ পৃথিবী
      শহর দেশ কাজ প্রশ্ন উত্তর সরকার উন্নয়ন অর্থনীতি সমাজ ধন্যবাদ বাংলা ভাষা বই`),
  },
  tamil: {
    group: "indic",
    stop: ".",
    comma: ",",
    words: split(`மற்றும் இந்த ஒரு என்று அது அவர் நான் நாம் நீங்கள் அவர்கள் நாள் ஆண்டு நேரம் மக்கள் உலகம் நகரம்
      நாடு வேலை கேள்வி பதில் அரசு வளர்ச்சி பொருளாதாரம் சமூகம் நன்றி தமிழ் மொழி புத்தகம்`),
  },
  thai: {
    group: "thai",
    unspaced: true,
    stop: " ",
    comma: " ",
    words: split(`และ ของ ที่ ใน เป็น มี ได้ ไม่ จะ ให้ กับ การ ความ คน นี้ ว่า ไป มา แล้ว อยู่ ก็ เรา คุณ เขา
      วัน ปี เวลา โลก เมือง ประเทศ งาน คำถาม คำตอบ รัฐบาล การพัฒนา เศรษฐกิจ สังคม ขอบคุณ ภาษาไทย หนังสือ
      โรงเรียน นักเรียน ครู บริษัท ข้อมูล เทคโนโลยี กรุงเทพมหานคร สวัสดีครับ`),
  },
  chinese: {
    group: "chinese",
    unspaced: true,
    stop: "。",
    comma: "，",
    words: split(`我们 你们 他们 这个 那个 什么 为什么 怎么 可以 没有 已经 因为 所以 但是 如果 就是 还是 现在 时候
      今天 明天 昨天 工作 学习 问题 回答 公司 政府 发展 经济 社会 国家 城市 世界 人民 中国 北京 上海 语言 模型
      令牌 计费 预算 请求 服务 系统 数据 信息 技术 网络 安全 管理 用户 客户 产品 市场 价格 质量 时间 地方
      谢谢 请问 非常 重要 简单 复杂 人工智能 机器学习 自然语言处理 鬱 龘 齉 饕餮 魑魅魍魉 耄耋 囹圄`),
  },
  japanese: {
    group: "japanese",
    unspaced: true,
    stop: "。",
    comma: "、",
    words: split(`私 は が を に で と の も です ます でした しました あります います する した して この その あの
      今日 明日 昨日 時間 仕事 会社 学校 先生 学生 質問 回答 問題 政府 経済 社会 世界 日本 東京 大阪 言語
      モデル トークン サーバー データ システム ネットワーク セキュリティ ユーザー コンピューター インターネット
      ありがとう ございます お願い します すみません 大丈夫 本当に とても 少し たくさん 美しい 新しい 古い`),
  },
  korean: {
    group: "korean",
    stop: ".",
    comma: ",",
    words: split(`나는 너는 우리는 그는 그녀는 이것은 저것은 무엇 왜 어떻게 할 수 있습니다 없습니다 했습니다 합니다
      오늘 내일 어제 시간 일 회사 학교 선생님 학생 질문 대답 문제 정부 경제 사회 세계 한국 서울 부산 언어
      모델 토큰 서버 데이터 시스템 네트워크 보안 사용자 컴퓨터 인터넷 감사합니다 안녕하세요 죄송합니다
      괜찮아요 정말 아주 조금 많이 아름다운 새로운 오래된 똠얌꿍 뷁 읽었습니다`),
  },
};
