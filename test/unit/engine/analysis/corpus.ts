// Test sentences: hand-written Chinese, Western and mixed text, plus template sentences built from real
// names and place names, so every analyzer sees a few hundred realistic inputs.
export const HANDWRITTEN: readonly string[] = [
  '我在北京大学读书，每天骑自行车去图书馆。',
  '王小明和李华去了广州塔，晚上在珠江边吃宵夜。',
  '上海的地铁四通八达，早高峰非常拥挤。',
  '张三丰是武当派的创始人。',
  '研究生命起源是一个古老的问题。',
  '中华人民共和国成立于一九四九年。',
  'iPhone15 售价 5999元，比去年便宜了500元。',
  '华为Mate60 Pro搭载麒麟9000S芯片。',
  '臺灣的資料庫軟體很多，台湾的数据也不少。',
  '我們在臺北101大樓看煙火。',
  '這個問題需要時間來解決。',
  'ＡＢＣ１２３是全角字符，ABC123是半角字符。',
  '生日快乐🎂！今天是个好日子😀',
  'Crème brûlée is a French dessert; café au lait too.',
  'The quick brown fox jumps over the lazy dog.',
  "Don't panic: it's only 3.14 percent of the data.",
  'São Paulo, Zürich, Kraków and Málaga are cities.',
  'Email me at user@example.com or call +86-138-0013-8000.',
  '深圳是中国的科技之都，腾讯和华为都在这里。',
  '杭州西湖的风景美不胜收，阿里巴巴总部也在杭州。',
  '成都的火锅和重庆的小面都很有名。',
  '南京长江大桥建成于1968年。',
  '武汉大学的樱花每年三月盛开。',
  '西安有兵马俑和大雁塔。',
  '周杰伦的新专辑在QQ音乐上线了。',
  '刘德华、张学友、郭富城、黎明被称为四大天王。',
  '马云说：“今天很残酷，明天更残酷，后天很美好。”',
  '《红楼梦》是曹雪芹创作的长篇小说。',
  '李白的《静夜思》：床前明月光，疑是地上霜。',
  '2024年GDP增长率为5.2%，CPI上涨0.2%。',
  '东京、大阪和京都是日本的城市；ひらがなとカタカナ。',
  '서울은 한국의 수도입니다.',
  'Привет, мир! Москва — столица России.',
  'Ελληνικά: Αθήνα είναι η πρωτεύουσα.',
  'COVID-19疫情期间，很多人在家办公。',
  'Python3.12和Node.js 20都是常用的开发工具。',
  '单田芳的评书《三国演义》家喻户晓。',
  '吕布是三国时期的名将。',
  '长城是世界七大奇迹之一，全长两万多公里。',
  '他说：“我明天去广州出差，后天回上海。”',
  '天气预报：明天北京晴，最高气温35℃。',
  '这家公司的市值超过了1万亿美元。',
  '小米手机的销量在东南亚名列前茅。',
  'naïve résumé coöperate façade',
  'ＮＯＲＭＡＬＩＺＥ　ｆｕｌｌ－ｗｉｄｔｈ　ｔｅｘｔ',
  '乾隆皇帝下江南的故事流传很广。',
  '香港的維多利亞港夜景非常漂亮。',
  '澳門的葡式蛋撻很好吃。',
  '今天的会议讨论了人工智能和机器学习的应用。',
  '清华大学和北京大学都在海淀区。',
];

const NAMES = ['王小明', '李娜', '张伟', '刘洋', '陈静', '杨帆', '赵敏', '黄磊', '周杰伦', '吴京', '孙俪', '马化腾'];
const PLACES = ['北京', '上海', '广州', '深圳', '杭州', '成都', '重庆', '南京', '武汉', '西安', '天津', '苏州', '台湾', '香港'];
const ACTIONS = ['出差', '旅游', '读书', '开会', '看望父母', '参加比赛', '买了一套房子', '吃火锅', '看展览'];
const TIMES = ['昨天', '今天上午', '下周一', '2023年', '春节期间', '5月1日'];
const WESTERN = [
  'Alice visited the museum in Paris.',
  'Bob bought 3 apples and 2 oranges.',
  'The conference in Berlin starts at 9:30.',
  'Renée and Zoë met at the café.',
  'Version 2.0.1 fixes a bug in the parser.',
];

/** Every sentence the tests run over: handwritten, templates (names × places × actions × times), Western. */
export function sentences(): string[] {
  const out = [...HANDWRITTEN, ...WESTERN];
  let k = 0;
  for (const name of NAMES) {
    for (const place of PLACES) {
      const action = ACTIONS[k % ACTIONS.length]!;
      const time = TIMES[k % TIMES.length]!;
      out.push(k % 3 === 0 ? `${time}${name}去${place}${action}。` : k % 3 === 1 ? `${name}说${place}的iPhone${k}价格${k * 100}元` : `${place} welcomes ${name} (${time})！`);
      k++;
    }
  }
  return out;
}

export { NAMES, PLACES };
